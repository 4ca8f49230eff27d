"""The lab database: what researchers build on top of the index (saved searches, their history).

A SQLite file beside the index (`.archive/lab.sqlite`, `ARCHIVE_LAB_DB` moves it), never
inside it: rebuilding the index keeps every saved search. Its schema is versioned with
`PRAGMA user_version` and brought up to date by the migrations below, in order, each in
its own transaction. Documents are referred to by their content id, as in the index.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import config
from archive.facet_registry import ALL_OF
from archive.models import SORTS, SearchRequest

# Each migration takes the database from version i to i + 1 (list index i).
MIGRATIONS: list[str] = [
    # 1: saved searches, the documents each has matched (and since when), visits per browser.
    """
    CREATE TABLE saved_search (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        query TEXT NOT NULL DEFAULT '',
        filters TEXT NOT NULL DEFAULT '{}',
        year_from INTEGER,
        year_to INTEGER,
        sort TEXT NOT NULL DEFAULT 'relevance',
        created_at TEXT NOT NULL,
        refreshed_generation TEXT
    );
    CREATE TABLE saved_match (
        search_id INTEGER NOT NULL REFERENCES saved_search(id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        baseline INTEGER NOT NULL DEFAULT 0,
        left_at TEXT,
        PRIMARY KEY (search_id, doc_id)
    );
    CREATE INDEX saved_match_seen ON saved_match(search_id, first_seen);
    CREATE TABLE search_visit (
        browser TEXT NOT NULL,
        search_id INTEGER NOT NULL REFERENCES saved_search(id) ON DELETE CASCADE,
        opened_at TEXT NOT NULL,
        PRIMARY KEY (browser, search_id)
    );
    """,
    # 2: dossiers of documents with a note per document.
    """
    CREATE TABLE dossier (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE dossier_item (
        dossier_id INTEGER NOT NULL REFERENCES dossier(id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL,
        PRIMARY KEY (dossier_id, doc_id)
    );
    """,
    # 3: the facets whose values a saved search asks all at once (« Toutes à la fois (ET) »).
    """
    ALTER TABLE saved_search ADD COLUMN all_of TEXT NOT NULL DEFAULT '[]';
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
MAX_NAME = 100


class LabError(ValueError):
    """A request the lab database refuses; the message is French and shown as is."""


def lab_path(explicit: str | os.PathLike[str] | None = None, index: Path | None = None) -> Path:
    """`explicit`, else $ARCHIVE_LAB_DB, else `lab.sqlite` beside the index folder."""
    chosen = explicit or config.lab_db()
    if chosen:
        return Path(chosen)
    return (index or config.index_dir()).absolute().parent / "lab.sqlite"


def now() -> str:
    """A UTC timestamp that sorts as text (microseconds keep a batch's order)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class SavedSearch:
    id: int
    name: str
    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    created_at: str = ""
    all_of: list[str] = field(default_factory=list)  # facets whose values must all be held

    def request(self, **kw: Any) -> SearchRequest:
        return SearchRequest(
            query=self.query,
            year_from=self.year_from,
            year_to=self.year_to,
            filters={k: list(v) for k, v in self.filters.items()},
            all_of=list(self.all_of),
            sort=self.sort,
            **kw,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "query": self.query,
            "filters": self.filters,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "sort": self.sort,
            "all_of": self.all_of,
            "created_at": self.created_at,
        }


@dataclass
class FeedEntry:
    doc_id: str
    first_seen: str
    baseline: bool


def migrate(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Apply the missing migrations up to `upto`; the version reached."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LabError(
            f"La base du laboratoire est d'une version plus récente ({version}) que ce programme "
            f"({SCHEMA_VERSION}) : mettez le programme à jour."
        )
    for target in range(version + 1, upto + 1):
        # executescript commits first; the version bump is part of the same script.
        conn.executescript(f"BEGIN;\n{MIGRATIONS[target - 1]}\nPRAGMA user_version = {target};\nCOMMIT;")
    return max(version, upto)


class LabDB:
    """Short-lived connections to one lab database file (safe from several threads and processes)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            migrate(conn)  # first: a database of a newer program is left as it is
            conn.execute("PRAGMA journal_mode=WAL")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise LabError(f"Base du laboratoire illisible ({self.path}) : {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            yield conn
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise LabError(f"Base du laboratoire illisible ({self.path}) : {exc}") from exc
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def version(self) -> int:
        with self._connect() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # -- saved searches --------------------------------------------------------------

    def add_search(
        self,
        name: str,
        query: str = "",
        filters: dict[str, Iterable[str]] | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        sort: str = "relevance",
        all_of: Iterable[str] = (),
    ) -> SavedSearch:
        """`all_of`: the filtered facets whose values must all be held (only facets the registry
        offers so, `FacetSpec.all_of`; the others are dropped)."""
        name = clean_name(name)
        if sort not in SORTS:
            raise LabError(f"Tri inconnu : {sort}.")
        kept = {k: [v for v in vals if v] for k, vals in (filters or {}).items()}
        kept = {k: v for k, v in kept.items() if v}
        allowed = {spec.name for spec in ALL_OF}
        together = [facet for facet in dict.fromkeys(all_of) if facet in kept and facet in allowed]
        created = now()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO saved_search(name, query, filters, year_from, year_to, sort, created_at, all_of)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        query.strip(),
                        json.dumps(kept, ensure_ascii=False),
                        year_from,
                        year_to,
                        sort,
                        created,
                        json.dumps(together),
                    ),
                )
                new_id = cur.lastrowid
        except sqlite3.IntegrityError:
            raise LabError(f"Une recherche enregistrée s'appelle déjà « {name} ».") from None
        return SavedSearch(new_id, name, query.strip(), kept, year_from, year_to, sort, created, together)

    def searches(self) -> list[SavedSearch]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM saved_search ORDER BY name COLLATE NOCASE").fetchall()
        return [_saved(row) for row in rows]

    def search_named(self, name: str) -> SavedSearch | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM saved_search WHERE name = ?", (name.strip(),)).fetchone()
        return _saved(row) if row else None

    def search_by_id(self, search_id: int) -> SavedSearch | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM saved_search WHERE id = ?", (search_id,)).fetchone()
        return _saved(row) if row else None

    def remove_search(self, name: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM saved_search WHERE name = ?", (name.strip(),)).rowcount > 0

    def refreshed_generation(self, search_id: int) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT refreshed_generation FROM saved_search WHERE id = ?", (search_id,)).fetchone()
        return row[0] if row else None

    def record_matches(self, search_id: int, doc_ids: Iterable[str], generation: str | None = None) -> int:
        """Note the documents the search matches now: new ones get the current time (the first
        refresh's are its baseline), ones that left are marked. Returns how many are new."""
        current = set(doc_ids)
        stamp = now()
        with self.transaction() as conn:
            first = conn.execute("SELECT refreshed_generation FROM saved_search WHERE id = ?", (search_id,)).fetchone()
            if first is None:
                return 0
            baseline = int(first[0] is None)
            known = {
                row[0]: row[1] is not None
                for row in conn.execute("SELECT doc_id, left_at FROM saved_match WHERE search_id = ?", (search_id,))
            }
            new = sorted(current - known.keys())
            conn.executemany(
                "INSERT INTO saved_match(search_id, doc_id, first_seen, baseline) VALUES (?, ?, ?, ?)",
                [(search_id, d, stamp, baseline) for d in new],
            )
            left = [d for d, gone in known.items() if not gone and d not in current]
            back = [d for d, gone in known.items() if gone and d in current]
            conn.executemany(
                "UPDATE saved_match SET left_at = ? WHERE search_id = ? AND doc_id = ?",
                [(stamp, search_id, d) for d in left],
            )
            conn.executemany(
                "UPDATE saved_match SET left_at = NULL WHERE search_id = ? AND doc_id = ?",
                [(search_id, d) for d in back],
            )
            conn.execute(
                "UPDATE saved_search SET refreshed_generation = ? WHERE id = ?", (generation or stamp, search_id)
            )
        return 0 if baseline else len(new)

    def new_count(self, search_id: int, browser: str | None) -> int:
        """Documents that joined the search since this browser last opened it (since its creation if never)."""
        with self._connect() as conn:
            opened = None
            if browser:
                row = conn.execute(
                    "SELECT opened_at FROM search_visit WHERE browser = ? AND search_id = ?", (browser, search_id)
                ).fetchone()
                opened = row[0] if row else None
            return conn.execute(
                "SELECT COUNT(*) FROM saved_match WHERE search_id = ? AND left_at IS NULL AND baseline = 0"
                " AND first_seen > ?",
                (search_id, opened or ""),
            ).fetchone()[0]

    def mark_opened(self, search_id: int, browser: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO search_visit(browser, search_id, opened_at) VALUES (?, ?, ?)"
                " ON CONFLICT(browser, search_id) DO UPDATE SET opened_at = excluded.opened_at",
                (browser, search_id, now()),
            )

    def match_count(self, search_id: int) -> int:
        with self._connect() as conn:
            return conn.execute(
                "SELECT COUNT(*) FROM saved_match WHERE search_id = ? AND left_at IS NULL", (search_id,)
            ).fetchone()[0]

    def newest(self, search_id: int, limit: int = 50) -> list[FeedEntry]:
        """The documents matching now, newest arrivals first (the baseline after them)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT doc_id, first_seen, baseline FROM saved_match WHERE search_id = ? AND left_at IS NULL"
                " ORDER BY baseline, first_seen DESC, doc_id LIMIT ?",
                (search_id, limit),
            ).fetchall()
        return [FeedEntry(r[0], r[1], bool(r[2])) for r in rows]


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise LabError("Donnez un nom.")
    if len(name) > MAX_NAME:
        raise LabError(f"Nom trop long ({len(name)} caractères, {MAX_NAME} au plus).")
    return name


def _saved(row: sqlite3.Row) -> SavedSearch:
    try:
        filters = json.loads(row["filters"] or "{}")
    except ValueError:
        filters = {}
    try:
        all_of = json.loads(row["all_of"] or "[]")
    except ValueError:
        all_of = []
    return SavedSearch(
        id=row["id"],
        name=row["name"],
        query=row["query"],
        filters={k: list(v) for k, v in filters.items() if isinstance(v, list)},
        year_from=row["year_from"],
        year_to=row["year_to"],
        sort=row["sort"] if row["sort"] in SORTS else "relevance",
        created_at=row["created_at"],
        all_of=[facet for facet in all_of if isinstance(facet, str)] if isinstance(all_of, list) else [],
    )
