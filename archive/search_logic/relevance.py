"""The order of a result list: BM25 re-ranked by word positions, partial matches after the full
ones when there are few, and the documents most like one."""

from __future__ import annotations

import numpy as np

from archive.models import SearchRequest
from archive.search_logic.facet_counts import intersect
from archive.search_logic.port import IndexState, ScoredQuery
from archive.search_logic.proximity import RERANK_DEPTH, rerank

# Fewer full matches than this: the list goes on with the closest partial ones (at most this many).
PARTIAL_FILL = 10
# Partial matches: score × (share of the query's words held) ** this power.
PARTIAL_COVERAGE_POWER = 1.0


def ranked_page(
    query: ScoredQuery, state: IndexState, final: np.ndarray, start: int, stop: int
) -> list[tuple[int, float]]:
    """Documents `start` to `stop` of `final` by relevance; positions re-rank whole blocks of
    RERANK_DEPTH, so that a page's order does not depend on where it starts."""
    lead = query.lead
    depth = -(-stop // RERANK_DEPTH) * RERANK_DEPTH if lead else stop
    ranked = query.top(final, depth)
    if lead:
        ranked = rerank(ranked, lead, state.positions)
    return ranked[start:stop]


def partial_room(request: SearchRequest, total: int, shown: int) -> int:
    """How many partial matches follow the `shown` full ones on this page (0: none)."""
    if total < PARTIAL_FILL and shown < request.limit and request.offset + shown >= total:
        return request.limit - shown
    return 0


def partial_matches(
    any_word: ScoredQuery,
    state: IndexState,
    selected: dict[str, np.ndarray],
    final: np.ndarray,
    room: int,
) -> list[tuple[int, float]]:
    """The best documents holding some of the query's words but not matching it whole, under the
    filters: BM25 over the words each holds, times the share of the words it holds."""
    if room <= 0:
        return []
    allowed = intersect(any_word.match(), selected, exclude=None) & ~final
    coverage = any_word.coverage() ** PARTIAL_COVERAGE_POWER
    lead = any_word.lead
    depth = RERANK_DEPTH if lead else min(room, PARTIAL_FILL)
    ranked = any_word.top(allowed, depth, factor=coverage)
    if lead:
        ranked = rerank(ranked, lead, state.positions)
    return ranked[: min(room, PARTIAL_FILL)]


def most_like(query: ScoredQuery, docnum: int, limit: int) -> list[tuple[int, float]]:
    """The `limit` documents best matching a document's key terms (`query`), itself left out."""
    allowed = query.match()
    allowed[docnum] = False
    return query.top(allowed, limit)
