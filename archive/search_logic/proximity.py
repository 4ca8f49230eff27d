"""Re-ranking of the best matches by where the query's words stand in each document.

A document whose lead (its title and first words) holds the words is about them; one
whose words stand close together uses them together. The engine ranks by BM25 and reads
the word positions of the ranked documents only (port: `TermPositions`).
"""

from __future__ import annotations

from collections.abc import Callable

# Closeness of the query words re-ranks the best BM25 matches, in blocks of this many: a
# phrase matcher over every match cost 0.5–0.8 s on 3-word queries at 50 000 documents.
RERANK_DEPTH = 100
PROXIMITY_BONUS = 0.5
# Words within (number of words − 1 + this) positions of each other count as close.
PROXIMITY_SLOP = 8
# The lead (title and first paragraph: the first words of the text) says what a document
# is about: a document whose lead holds the query's words ranks higher.
LEAD_POSITIONS = 120
LEAD_BONUS = 0.5
MAX_PROXIMITY_TERMS = 8

# positions(terms, docnums) → per document, for each term in order, its positions in the text
# ([] when absent): what a backend reads from its index.
TermPositions = Callable[[list[str], list[int]], dict[int, list[list[int]]]]


def rerank(ranked: list[tuple[int, float]], terms: list[str], positions: TermPositions) -> list[tuple[int, float]]:
    """Raise the score of documents whose lead holds the words, and whose words stand close together.

    Lead: × (1 + LEAD_BONUS × share of the words among the first LEAD_POSITIONS words).
    Proximity (2 to 8 words): × (1 + PROXIMITY_BONUS) when every word lies within a few
    positions of the others. The order is stable: BM25 order among equal scores.
    """
    held_by = positions(terms, sorted({d for d, _ in ranked}))
    near_terms = 2 <= len(terms) <= MAX_PROXIMITY_TERMS
    window_max = len(terms) - 1 + PROXIMITY_SLOP
    rescored = []
    for docnum, score in ranked:
        held = held_by[docnum]
        lead_share = sum(1 for p in held if p and min(p) < LEAD_POSITIONS) / len(terms)
        score *= 1 + LEAD_BONUS * lead_share
        if near_terms:
            width = closest_window(held)
            if width is not None and width <= window_max:
                score *= 1 + PROXIMITY_BONUS
        rescored.append((docnum, score))
    rescored.sort(key=lambda pair: -pair[1])
    return rescored


def closest_window(positions: list[list[int]]) -> int | None:
    """Width of the smallest stretch of text holding every term once (None if one is absent)."""
    if not positions or any(not p for p in positions):
        return None
    merged = sorted((pos, i) for i, plist in enumerate(positions) for pos in plist)
    need, seen, best, left = len(positions), {}, None, 0
    for pos, term in merged:
        seen[term] = seen.get(term, 0) + 1
        while len(seen) == need:
            width = pos - merged[left][0]
            best = width if best is None else min(best, width)
            lterm = merged[left][1]
            seen[lterm] -= 1
            if not seen[lterm]:
                del seen[lterm]
            left += 1
    return best
