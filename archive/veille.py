"""« Veille »: keep saved searches up to date with the index and publish their Atom feeds.

A refresh runs each saved search and records in the lab database the documents it
matches for the first time; the feed lists a search's 50 newest arrivals (RFC 4287,
written with feedgen). The watcher calls `publish` after each batch, the app when the
index has changed, `archive feed NAME` prints one feed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from feedgen.feed import FeedGenerator

from archive.config import base_url, feeds_dir
from archive.engine import SearchEngine
from archive.facet_registry import BY_NAME
from archive.lab import LabDB, SavedSearch
from archive.models import QuerySyntaxError

FEED_SIZE = 50
SUMMARY_CHARS = 400


def feed_file_name(search: SavedSearch) -> str:
    """`<id>-<name folded to ASCII>.xml`: stable while the search exists, safe in a URL."""
    ascii_name = unicodedata.normalize("NFKD", search.name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "recherche"
    return f"{search.id}-{slug}.xml"


def feed_url(search: SavedSearch, root: str | None = None, folder: Path | None = None) -> str:
    """Where the app serves the feed: Streamlit serves the `static/` folder beside app.py at
    `/app/static/`, so the feeds folder's path below `static/` is kept."""
    parts = (folder or feeds_dir()).absolute().parts
    below = parts[len(parts) - parts[::-1].index("static") :] if "static" in parts else ("feeds",)
    return f"{base_url() if root is None else root}app/static/{'/'.join((*below, feed_file_name(search)))}"


def refresh(lab: LabDB, engine: SearchEngine, search: SavedSearch, force: bool = False) -> int:
    """Record the documents the search matches now; the number new since the last refresh.
    Skipped when the index has not changed since (unless `force`)."""
    generation = engine.generation()
    if not force and lab.refreshed_generation(search.id) == generation:
        return 0
    try:
        ids = engine.matching_ids(search.request())
    except QuerySyntaxError:
        ids = []
    return lab.record_matches(search.id, ids, generation)


def refresh_all(lab: LabDB, engine: SearchEngine, force: bool = False) -> dict[str, int]:
    return {s.name: refresh(lab, engine, s, force) for s in lab.searches()}


def atom_feed(
    lab: LabDB, engine: SearchEngine, search: SavedSearch, url: str | None = None, folder: Path | None = None
) -> bytes:
    """The Atom document of a saved search (refreshed first)."""
    refresh(lab, engine, search)
    root = url or base_url()
    fg = FeedGenerator()
    fg.id(feed_url(search, root, folder))
    fg.title(f"Veille : {search.name}")
    fg.subtitle(f"Nouveaux documents de l'archive pour « {describe(search)} »")
    fg.link(href=feed_url(search, root, folder), rel="self", type="application/atom+xml")
    fg.link(href=root + search_link(search), rel="alternate", type="text/html")
    fg.language("fr")
    fg.author({"name": "Archive de la politique industrielle"})
    fg.generator("archive-politique-industrielle")
    latest = _moment(search.created_at)
    entries = lab.newest(search.id, FEED_SIZE)
    # feedgen prepends each new entry: add the oldest first so the newest leads the document.
    for entry in reversed(entries):
        record = engine.document(entry.doc_id)
        if record is None:
            continue
        seen = _moment(entry.first_seen)
        indexed = _moment(record.indexed_at) if record.indexed_at else None
        stamp = seen if indexed is None or (not entry.baseline and seen > indexed) else indexed
        latest = max(latest, stamp)
        fe = fg.add_entry()
        fe.id(f"{root}?vue=document&doc={record.id}")
        fe.title(record.title or record.path or record.id)
        fe.link(href=f"{root}?vue=document&doc={record.id}", rel="alternate", type="text/html")
        fe.updated(stamp)
        fe.published(seen if not entry.baseline else stamp)
        fe.summary(_summary(record.text))
        for theme in record.themes:
            fe.category(term=theme, scheme=f"{root}?theme=", label=f"Thème : {theme}")
        for actor in record.actors:
            fe.category(term=actor, scheme=f"{root}?acteur=", label=f"Acteur : {actor}")
        if record.date:
            fe.content(f"Date du document : {record.date}. Fichier : {record.path}", type="text")
    fg.updated(latest)
    return fg.atom_str(pretty=True)


def write_feed(lab: LabDB, engine: SearchEngine, search: SavedSearch, folder: Path, url: str | None = None) -> Path:
    """Write one search's feed file atomically (a feed reader never sees half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / feed_file_name(search)
    tmp = path.with_suffix(".xml.tmp")
    tmp.write_bytes(atom_feed(lab, engine, search, url, folder))
    os.replace(tmp, path)
    return path


def bring_up_to_date(lab: LabDB, engine: SearchEngine, folder: Path, url: str | None = None) -> int:
    """Refresh the searches not refreshed since the index last changed, and rewrite their feeds
    (what the app does when it lists them); how many were stale."""
    generation = engine.generation()
    stale = [s for s in lab.searches() if lab.refreshed_generation(s.id) != generation]
    for search in stale:
        refresh(lab, engine, search)
        write_feed(lab, engine, search, folder, url)
    return len(stale)


def publish(lab: LabDB, engine: SearchEngine, folder: Path, url: str | None = None) -> list[Path]:
    """Refresh every saved search and rewrite its feed file in `folder` (atomically); feed files
    of searches that no longer exist are removed. The files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_feed(lab, engine, search, folder, url) for search in lab.searches()]
    keep = {p.name for p in written}
    for old in folder.glob("*.xml"):
        if old.name not in keep and re.match(r"^\d+-", old.name):
            old.unlink(missing_ok=True)
    return written


def describe(search: SavedSearch) -> str:
    """The search in words: its query and filters (« industrie ; acteur : CGT ; 2018–2020 »)."""
    parts = [search.query] if search.query else []
    for facet, values in search.filters.items():
        name = BY_NAME[facet].query_name if facet in BY_NAME else facet
        joined = " et ".join(values) if facet in search.all_of else ", ".join(values)
        parts.append(f"{name} : {joined}")
    if search.year_from is not None or search.year_to is not None:
        parts.append(f"{search.year_from or '…'}–{search.year_to or '…'}")
    return " ; ".join(parts) or "tous les documents"


def search_link(search: SavedSearch) -> str:
    """The app's URL parameters (`?q=…&acteur=…`) reopening the search."""
    from urllib.parse import urlencode

    params: list[tuple[str, str]] = []
    if search.query:
        params.append(("q", search.query))
    for facet, values in search.filters.items():
        param = BY_NAME[facet].param if facet in BY_NAME else None
        params += [(param, v) for v in values if param is not None]
    params += [("tous", BY_NAME[facet].param or "") for facet in search.all_of if facet in BY_NAME]
    if search.year_from is not None:
        params.append(("de", str(search.year_from)))
    if search.year_to is not None:
        params.append(("a", str(search.year_to)))
    sorts = {"date": "date", "-date": "-date"}
    if search.sort in sorts:
        params.append(("tri", sorts[search.sort]))
    return "?" + urlencode(params)


def _moment(text: str) -> datetime:
    """An ISO time with a time zone (Atom requires one); a naive time is the machine's local time
    (as the indexer writes `indexed_at`); an unreadable one is the epoch."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return datetime.fromtimestamp(0, UTC)
    return moment if moment.tzinfo else moment.astimezone()


def _summary(text: str) -> str:
    lead = " ".join(text.split())
    return lead if len(lead) <= SUMMARY_CHARS else lead[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"


class FeedPublisher:
    """Rewrites the feed files after each indexing batch (the watcher's `after_batch`).

    Opens the lab database and the engine on first use, and does nothing while there is no
    saved search; errors are the caller's to log."""

    def __init__(self, index: Path, lab: Path, folder: Path, url: str | None = None) -> None:
        self.index, self.lab, self.folder, self.url = Path(index), Path(lab), Path(folder), url
        self._engine: SearchEngine | None = None

    def __call__(self, _report: object = None) -> list[Path]:
        lab = LabDB(self.lab)
        if not lab.searches():
            return []
        if self._engine is None:
            from archive.engine import open_engine

            self._engine = open_engine(self.index)
        return publish(lab, self._engine, self.folder, self.url)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
