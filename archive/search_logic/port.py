"""The narrow port between the engine-neutral search logic and a backend's index state.

A backend's per-search snapshot implements `IndexState`; the modules of this package use
only it, `ScoredQuery` (and the callables they are given: `facet_counts.Resolver`, `proximity.TermPositions`).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from archive.facets import FacetTables


class ScoredQuery(Protocol):
    """One query of one search, matched against one index state: masks and scores."""

    lead: list[str]  # its plain words, whose positions re-rank the best matches ([]: no re-ranking)

    def match(self) -> np.ndarray:
        """Boolean mask of the live documents matching the query."""
        ...

    def top(self, allowed: np.ndarray, depth: int, factor: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `depth` best (document, score) of the mask `allowed`, best first, ties by document;
        `factor` multiplies each document's score."""
        ...

    def coverage(self) -> np.ndarray:
        """Per document, the share of the query's words it holds (0–1)."""
        ...


class IndexState(Protocol):
    """One index state as one search sees it."""

    generation: str  # changes with every commit
    tables: FacetTables  # facet values, dates and live documents by document number

    def record(self, docnum: int) -> dict[str, Any]:
        """The stored record (DocumentRecord.to_dict without text) of a live document."""
        ...

    def record_by_id(self, doc_id: str) -> dict[str, Any] | None:
        """The stored record of a document id, None when the index does not hold it."""
        ...

    def positions(self, terms: list[str], docnums: list[int]) -> dict[int, list[list[int]]]:
        """Per document, for each analysed text term in order, its word positions ([] if absent)."""
        ...
