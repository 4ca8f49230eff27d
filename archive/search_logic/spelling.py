"""Spelling suggestions: « Vouliez-vous dire … ? », and the results of the correction when the
query as typed finds nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from archive.models import SearchRequest, SearchResult


def corrected(
    raw: str,
    words: list[str],
    known: Callable[[str], bool],
    suggest: Callable[[str], str | None],
) -> str | None:
    """`raw` with each word the index does not hold (`known`) replaced by its closest spelling
    (`suggest`, given the lowercased word), or None when no word changed."""
    changed, out = False, raw
    for word in words:
        if known(word):
            continue
        spelled = suggest(word.lower())
        if spelled and spelled != word.lower():
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
