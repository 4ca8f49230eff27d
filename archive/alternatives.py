"""What to offer when a search finds nothing: why, and queries that would find something.

Engine-neutral: it only needs a way to count the documents a query finds (with the
request's filters) and the facet-value resolver. Offered, in this order:
- the same words as a field search when they name a place, an actor, a theme or a type
  (`lieu:"Pont-de-Claix"`, `acteur:CGT`);
- the exact phrase when the query holds syntax that may have been read unintentionally
  (`-`, `:`, `*`, parentheses; not operators in capitals, which are meant);
and a notice when exclusions alone removed every document.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from archive.facet_registry import TYPED_AS_WORDS
from archive.models import Alternative
from archive.search_logic.operators import EXCLUDING, OPERATORS
from archive.text import plural

Counter = Callable[[str], int]
Resolver = Callable[[str, str], list[str]]

_FIELD = re.compile(r'(?<![\w:])[^\W\d_]+:("[^"]*"|\S+)')
# Syntax a researcher may have typed without meaning it (« Pont -de-Claix », « CO2: »). Operators in
# capitals (AND, OR, NOT) are meant: « industrie NOT emploi » as the phrase « industrie emploi » says
# the opposite.
_SYNTAX = re.compile(r"(?:^|\s)[-+]|[:*?~()^]")
_EXCLUSION = re.compile(
    rf'(?:^|(?<=[\s(]))-("[^"]*"|\([^)]*\)|\S+)|\b(?:{"|".join(EXCLUDING)})\s+("[^"]*"|\([^)]*\)|\S+)'
)
MAX_ALTERNATIVES = 4
# One word of four letters or more: shorter ones are inside too many names.
_SINGLE_NAME = re.compile(r"[^\W\d_]{4,}")


def alternatives(raw: str, count: Counter, resolve: Resolver, containing: Resolver | None = None) -> list[Alternative]:
    """Queries that find documents where `raw` found none, best first. `containing(facet, word)`:
    the values of a facet with that word inside their name (« Mittal » → « ArcelorMittal »)."""
    words = " ".join(_FIELD.sub(" ", raw).replace('"', " ").split())
    out: list[Alternative] = []
    seen: set[str] = {raw.strip()}
    if words:
        _offer_facet_values(out, seen, count, resolve, words)
        if not out and containing is not None and _SINGLE_NAME.fullmatch(words):
            _offer_facet_values(out, seen, count, containing, words)
    plain = _plain_words(words)
    if _SYNTAX.search(raw) and plain:
        _offer(out, seen, f'"{plain}"', count, "la phrase exacte")
    return out[:MAX_ALTERNATIVES]


def exclusion_notice(raw: str, count: Counter) -> str | None:
    """Say so when the exclusions (-mot, NOT mot) alone removed every document found."""
    if not _EXCLUSION.search(raw):
        return None
    positive = " ".join(_EXCLUSION.sub(" ", raw).split())
    if not positive:
        return None
    n = count(positive)
    if n <= 0:
        return None
    if n == 1:
        return f"Les mots exclus écartent le seul document que « {positive} » trouve sans eux."
    return f"Les mots exclus écartent les {plural(n, 'document')} que « {positive} » trouve sans eux."


def _plain_words(text: str) -> str:
    """The words of a query without its syntax: markers, operators, wildcards, parentheses."""
    text = re.sub(r"(?:^|(?<=[\s(]))[-+]", "", text)
    text = re.sub(r"[()*?~^]", " ", text)
    return " ".join(w for w in text.split() if w not in OPERATORS)


def _offer_facet_values(out: list[Alternative], seen: set[str], count: Counter, lookup: Resolver, words: str) -> None:
    """The field searches for the values ``lookup`` finds for ``words``, in each facet whose values
    a researcher types as plain words."""
    for spec in TYPED_AS_WORDS:
        for value in lookup(spec.name, words)[:2]:
            _offer(out, seen, f"{spec.query_name}:{_quoted(value)}", count, f"{spec.mention} « {value} »")


def _offer(out: list[Alternative], seen: set[str], query: str, count: Counter, reason: str) -> None:
    if query in seen:
        return
    seen.add(query)
    n = count(query)
    if n > 0:
        out.append(Alternative(query, n, reason))


def _quoted(value: str) -> str:
    return f'"{value}"' if re.search(r"[\s()]", value) else value
