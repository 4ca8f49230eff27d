"""Limits that keep one query from stalling the server, whatever the engine.

Whoosh's fuzzy matching grows exponentially with the edit distance (`réindustrialisation~7`
took 168 s on five documents), and every expanded word or OR-ed term is one more posting list
to read. The French notices that name them come from the query parser.
"""

MAX_FUZZY_DISTANCE = 2
MIN_FUZZY_PREFIX = 1  # letters a fuzzy word keeps as typed
MAX_EXPANSIONS = 200  # words a prefix*, wildcard or fuzzy~ term may stand for
MAX_QUERY_WORDS = 64

# A query that may compute for its whole time budget: word expansions (prefix*, wild?card, fuzzy~)
# or many words. The app runs such queries away from the pages' interpreter lock
# (archive/search_processes.py).
COSTLY_WORDS = 12


def costly(query: str) -> bool:
    """Whether a typed query may compute for long: it expands words or has many of them."""
    return any(mark in query for mark in "*?~") or len(query.split()) > COSTLY_WORDS
