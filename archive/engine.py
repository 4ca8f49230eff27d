"""The one small interface between the archive and its search engine.

The app, the command line and the indexer only use `SearchEngine` and
`IndexWriter`; `open_engine` and `create_writer` pick the implementation
(Whoosh today), so the engine can be swapped without touching callers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from archive import store
from archive.models import DocumentRecord, Hit, IndexStats, SearchRequest, SearchResult, Timeline
from archive.trends import Trend
from archive.versions import Version


class SearchEngine(Protocol):
    # Seconds one search may spend before it answers with what it found and a notice
    # (ARCHIVE_SEARCH_TIME_BUDGET when opened; callers may change it).
    time_budget: float

    def search(self, request: SearchRequest) -> SearchResult: ...

    def document(self, doc_id: str) -> DocumentRecord | None: ...

    def records(self, request: SearchRequest, with_text: bool = False) -> Iterator[DocumentRecord]: ...

    def highlighted_text(self, doc_id: str, query: str) -> str | None: ...

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]: ...

    def versions(self, doc_id: str) -> list[Version]:
        """The other versions of a document's text (near-duplicates grouped at indexing time,
        archive/versions.py), oldest first; [] when it has none."""
        ...

    def timeline(
        self,
        request: SearchRequest,
        granularity: str = "year",
        split_by: str | None = None,
        top: int = 5,
        series: list[str] | None = None,
    ) -> Timeline: ...

    def period_hits(self, request: SearchRequest, period: str) -> tuple[list[Hit], int]: ...

    def facet_values(self, facet: str) -> dict[str, int]: ...

    def trend(
        self,
        requests: list[SearchRequest],
        granularity: str = "year",
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> Trend:
        """Documents of each request (query and filters) per year or month, with their share of all
        the archive's documents of that period (« Évolution des termes », see archive/trends.py)."""
        ...

    def matching_ids(self, request: SearchRequest) -> list[str]:
        """Ids of every document matching the request's query and filters (no partial matches), in
        no particular order; raises QuerySyntaxError on an unreadable query."""
        ...

    def stats(self) -> IndexStats: ...

    def document_ids(self) -> set[str]: ...

    def detected_entities(self, limit: int = 50) -> list[tuple[str, str, list[str]]]: ...

    def generation(self) -> str: ...

    def close(self) -> None: ...


class PreparedDocument(Protocol):
    """A record plus the engine's own preparation of it (see prepare_document)."""

    record: DocumentRecord


class IndexWriter(Protocol):
    """Writes one batch; nothing is visible until `commit` returns."""

    def upsert(self, record: DocumentRecord | PreparedDocument) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    def commit(self) -> None: ...

    def cancel(self) -> None: ...


class Backend(Protocol):
    """One search engine implementation: its index files, writers and searchers.

    It owns what only it can tell: whether a generation directory holds an index of its own
    and which index version it writes (stored beside the index by archive/store.py; another
    version means a rebuild).
    """

    version: str

    def index_exists(self, generation: Path) -> bool: ...

    def create_index(self, generation: Path) -> None: ...

    def open(self, index_root: Path, allow_outdated: bool = False) -> SearchEngine: ...

    def writer(self, generation: Path, *, bulk: bool = False) -> IndexWriter: ...

    def prepare(self, record: DocumentRecord) -> PreparedDocument: ...

    def read_records(self, generation: Path, doc_ids: list[str]) -> dict[str, DocumentRecord]: ...

    def indexed_ids(self, generation: Path) -> set[str]: ...


def backend() -> Backend:
    """The search engine implementation in use (Whoosh), imported on first use."""
    from archive.whoosh.backend import BACKEND

    return BACKEND


def new_generation(index_root: Path) -> Path:
    """An empty generation directory stamped with the backend's index version."""
    return store.new_generation_dir(index_root, backend().version)


def is_current_version(generation: Path) -> bool:
    """Whether a generation was written with this program's index version."""
    return store.index_version(generation) == backend().version


def open_engine(index_root: Path, allow_outdated: bool = False) -> SearchEngine:
    """Open the live index for searching (raises IndexMissing, and IndexOutdated unless allowed).

    With `allow_outdated`, an index written by an older version stays searchable (its
    `outdated` attribute is True) until the rebuild beside it switches in.
    """
    return backend().open(index_root, allow_outdated=allow_outdated)


def create_index(generation: Path) -> None:
    backend().create_index(generation)


def create_writer(generation: Path, *, bulk: bool = False) -> IndexWriter:
    """A writer on one generation directory. Callers hold the indexer's lock.

    bulk=True: a new generation being filled by a full (re)build, where each
    id is upserted at most once (upserts then skip the delete).
    """
    return backend().writer(generation, bulk=bulk)


def prepare_document(record: DocumentRecord) -> PreparedDocument:
    """The engine's per-document work that needs no index (text analysis), done ahead.

    Extraction workers call it so that the single writer process only adds
    postings: with two workers, analysing every text in the writer made it the
    bottleneck of a parallel ingestion.
    """
    return backend().prepare(record)


def read_records(generation: Path, doc_ids: list[str]) -> dict[str, DocumentRecord]:
    """Stored records with their text, read straight from a generation (used to re-path docs)."""
    return backend().read_records(generation, doc_ids)


def indexed_ids(generation: Path) -> set[str]:
    """Ids present in a generation, straight from the index (not the manifest)."""
    return backend().indexed_ids(generation)
