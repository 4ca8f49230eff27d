"""Spelling suggestions: « Vouliez-vous dire … ? », and the results of the correction when the
query as typed finds nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from archive.models import SearchRequest, SearchResult

# Short words and acronyms have too many neighbours in a large lexicon: « PSE » became « pmi »,
# « mail » « mis », then « mois », as the archive grew. They are left as typed.
MIN_CORRECTED_LETTERS = 5
LONG_WORD_LETTERS = 8  # from this length two edits may be corrected, one below
SPELLING_CANDIDATES = 5  # read from the lexicon (plain edits), then checked with allowed_edits


def allowed_edits(word: str) -> int:
    """How many edits (a swap of two neighbours counts as one) a correction of `word` may make."""
    if len(word) < MIN_CORRECTED_LETTERS or (word.isupper() and word.isalpha()):
        return 0
    return 2 if len(word) >= LONG_WORD_LETTERS else 1


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance where swapping two neighbouring letters is one edit (« usnie » → « usine »)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def corrected(
    raw: str,
    words: list[str],
    known: Callable[[str], bool],
    suggest: Callable[[str], list[str]],
) -> str | None:
    """`raw` with each word the index does not hold (`known`) replaced by its closest spelling
    within `allowed_edits` (`suggest`: candidates for the lowercased word, best first, up to two
    plain edits away), or None when no word changed."""
    changed, out = False, raw
    for word in words:
        edits = allowed_edits(word)
        if not edits or known(word):
            continue
        lowered = word.lower()
        spelled = next((c for c in suggest(lowered) if edit_distance(lowered, c) <= edits), None)
        if spelled and spelled != lowered:
            out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", spelled, out, count=1)
            changed = True
    return out if changed else None


def search_with_correction(run: Callable[[SearchRequest], SearchResult], request: SearchRequest) -> SearchResult:
    """`run(request)`; when it finds nothing and its suggestion finds something, the results of
    the suggestion instead, as a search engine does, saying so. A query with quotes is taken
    literally."""
    result = run(request)
    suggestion = result.suggestion
    if result.total or suggestion is None or result.error or '"' in request.query:
        return result
    fixed = run(replace(request, query=suggestion))
    if not fixed.total:
        return result
    fixed.query, fixed.corrected, fixed.suggestion = request.query, suggestion, suggestion
    fixed.notices.insert(
        0,
        f"Aucun document pour « {request.query} » : résultats pour « {suggestion} ». "
        f"Pour chercher le mot tel quel, mettez-le entre guillemets.",
    )
    fixed.took_ms += result.took_ms
    return fixed
