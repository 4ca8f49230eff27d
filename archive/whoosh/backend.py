"""Whoosh implementation of `SearchEngine` and `IndexWriter`."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import highlight
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import RegexTokenizer, Token
from whoosh.fields import Schema
from whoosh.searching import Searcher

from archive import store, trends, versions
from archive.alternatives import alternatives, exclusion_notice
from archive.analysis import join_values
from archive.facets import FacetTables
from archive.gazetteer import roll_up_actors
from archive.models import (
    FACETS,
    DocumentRecord,
    Hit,
    IndexMissing,
    IndexOutdated,
    IndexStats,
    QuerySyntaxError,
    SearchRequest,
    SearchResult,
    Timeline,
)
from archive.review import review_flags
from archive.text import fold_name
from archive.whoosh import fixes  # noqa: F401  (applies local Whoosh fixes)
from archive.whoosh.postings import Postings
from archive.whoosh.query import (
    PROXIMITY_SLOP,
    TEXT_FIELDS,
    ParsedQuery,
    QueryBuilder,
    closest_window,
    lead_terms,
    query_notices,
    word_units,
)
from archive.whoosh.ranking import EXPANDING, ArchiveBM25F, QueryEvaluator
from archive.whoosh.schema import FACET_FIELDS, INDEX_VERSION, PreAnalysed, build_schema

# Fields read into FacetTables: every facet's, and the format (counted by stats()).
TABLE_FIELDS = (*FACET_FIELDS.values(), "format")
PARTIAL_FILL = 10
# Partial matches: score × (share of the query's words held) ** this power.
PARTIAL_COVERAGE_POWER = 1.0
# Closeness of the query words re-ranks the best BM25 matches, in blocks of this many: a
# phrase matcher over every match cost 0.5–0.8 s on 3-word queries at 50 000 documents.
RERANK_DEPTH = 100
PROXIMITY_BONUS = 0.5
# The lead (title and first paragraph: the first words of the text) says what a document
# is about: a document whose lead holds the query's words ranks higher.
LEAD_POSITIONS = 120
LEAD_BONUS = 0.5
MAX_PROXIMITY_TERMS = 8
SNIPPET_CHARS = 240
_SPELL_WORD = re.compile(r"[^\W\d_]{3,}")
# Facet values sort by their name fold; the same values come back search after search.
_name_key = lru_cache(maxsize=1 << 16)(fold_name)


def create_whoosh_index(generation: Path) -> None:
    windex.create_in(str(generation), build_schema())


def datekey(date: str | None) -> int:
    """20200917 for 2020-09-17, 20260300 for 2026-03, 20110000 for 2011, 0 when undated."""
    if not date:
        return 0
    parts = [int(p) for p in date.split("-")[:3]] + [0, 0]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


@dataclass
class WhooshDocument:
    """A record with its text fields analysed ahead (in an extraction worker)."""

    record: DocumentRecord
    analysed: dict[str, PreAnalysed]
    spell_words: set[str]


@cache
def _analysis_schema() -> Schema:
    """One schema per process: its analyzers keep their stemming caches between documents."""
    return build_schema()


def prepare_document(record: DocumentRecord) -> WhooshDocument:
    schema = _analysis_schema()
    analysed = {}
    for fieldname, value in (("title", record.title), ("text", record.text)):
        field = schema[fieldname]
        analysed[fieldname] = PreAnalysed(field.format.word_values(value, field.analyzer, mode="index"))
    return WhooshDocument(record, analysed, _spell_words(record))


def _spell_words(record: DocumentRecord) -> set[str]:
    return {w.lower() for w in _SPELL_WORD.findall(record.title + " " + record.text)}


def document_fields(document: DocumentRecord | WhooshDocument, spelled: set[str] | None = None) -> dict[str, Any]:
    """The Whoosh fields of a record; words already in `spelled` are left out of `spell`."""
    if isinstance(document, WhooshDocument):
        record, spell_words = document.record, set(document.spell_words)
        analysed = document.analysed
    else:
        record, spell_words, analysed = document, _spell_words(document), {}
    meta = record.to_dict(with_text=False)
    if spelled is not None:
        spell_words -= spelled
        spelled |= spell_words
    return {
        "id": record.id,
        "title": analysed.get("title", record.title),
        "_stored_title": record.title,
        "text": analysed.get("text", record.text),
        "_stored_text": record.text,
        "spell": " ".join(sorted(spell_words)),
        # Federations and local unions also count for their confederation (member_of).
        "actors": join_values(roll_up_actors(record.actors)),
        "themes": join_values(record.themes),
        "places": join_values(record.places),
        "schemes": join_values(record.schemes),
        "review": join_values(review_flags(record)),
        "doc_type": record.doc_type or "",
        "language": record.language or "",
        "year": str(record.year) if record.year else "",
        "format": record.format or "",
        "datekey": datekey(record.date),
        "record": meta,
    }


# Merging: segments stop growing at MERGED_DOCS_MAX documents, and the smallest are merged once
# SMALL_SEGMENTS_MAX of them pile up. Whoosh's own policy ends up rewriting the whole index in
# one merge, whose memory grows with the corpus (1.2 GB at 100 000 documents) and which stalls
# a small update for minutes.
MERGED_DOCS_MAX = 25_000
SMALL_SEGMENTS_MAX = 8


def bounded_merge(writer, segments):
    """Whoosh merge policy: merge the smallest segments, never beyond MERGED_DOCS_MAX documents."""
    from whoosh.reading import SegmentReader

    small = sorted((s for s in segments if s.doc_count() < MERGED_DOCS_MAX // 2), key=lambda s: s.doc_count())
    if len(small) < SMALL_SEGMENTS_MAX:
        return segments
    chosen, total = [], 0
    for segment in small:
        if chosen and total + segment.doc_count() > MERGED_DOCS_MAX:
            break
        chosen.append(segment)
        total += segment.doc_count()
    if len(chosen) < 2:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


# Spelling words already given to the generation a bulk build is filling (one at a time).
_bulk_spelled: dict[str, set[str]] = {}


class WhooshWriter:
    def __init__(self, generation: Path, bulk: bool = False) -> None:
        self._ix = windex.open_dir(str(generation))
        # Our own lock (indexer) already serialises writers; Whoosh's is a second guard.
        self._writer = self._ix.writer(limitmb=256 if bulk else 96, timeout=30.0)
        # A bulk writer fills a fresh generation where each id is written once: nothing to delete,
        # and delete_by_term would look every id up in every segment already committed.
        self._fresh = bulk
        # The spelling lexicon needs each word once, not once per document, so a bulk build skips
        # words it already gave. Later writers keep all their documents' words. Deleting a
        # document of the bulk build can drop a word from suggestions until the next rebuild.
        self._spelled: set[str] | None = None
        if bulk:
            key = str(Path(generation).resolve())
            if key not in _bulk_spelled:
                _bulk_spelled.clear()
                _bulk_spelled[key] = set()
            self._spelled = _bulk_spelled[key]

    def upsert(self, document: DocumentRecord | WhooshDocument) -> None:
        record = document.record if isinstance(document, WhooshDocument) else document
        # delete_by_term removes every copy; update_document would remove only one.
        if not self._fresh:
            self._writer.delete_by_term("id", record.id)
        self._writer.add_document(**document_fields(document, self._spelled))

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", doc_id)

    def commit(self) -> None:
        self._writer.commit(mergetype=bounded_merge)
        self._ix.close()

    def cancel(self) -> None:
        _bulk_spelled.clear()  # words of the cancelled documents must be given again
        self._writer.cancel()
        self._ix.close()


def read_records(generation: Path, doc_ids: list[str]) -> dict[str, DocumentRecord]:
    """Stored records (with text) of these ids, through one searcher; missing ids are left out."""
    ix = windex.open_dir(str(generation))
    try:
        with ix.searcher() as s:
            found = {}
            for doc_id in doc_ids:
                fields = s.document(id=doc_id)
                if fields:
                    found[doc_id] = _record_from_stored(fields)
            return found
    finally:
        ix.close()


def _record_from_stored(fields: dict[str, Any], with_text: bool = True) -> DocumentRecord:
    data = dict(fields["record"])
    data["text"] = fields.get("text", "") if with_text else ""
    return DocumentRecord.from_dict(data)


class _MarkFormatter(highlight.HtmlFormatter):
    """Escaped text with matched terms in bare <mark> tags."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def _text(self, text: str) -> str:
        # A fragment is cut between tokens: a 200 000-character word beside a match came back whole.
        if len(text) > SNIPPET_CHARS:
            half = SNIPPET_CHARS // 4
            text = text[:half] + " … " + text[-half:]
        return super()._text(text)


@dataclass
class _Snapshot:
    """One searcher on one index state, used by one thread at a time (Whoosh readers are not
    thread-safe); its facet tables are shared with the other snapshots of the same state."""

    generation: str
    directory: Path
    searcher: Searcher
    tables: FacetTables
    builder: QueryBuilder
    postings: Postings
    analyzer: Any  # the text field's analyzer, shared by the snapshots of one opened index
    deadline: float | None = None
    ids: np.ndarray | None = None  # document number → id, read on first use

    def id_table(self) -> np.ndarray:
        if self.ids is None:
            self.ids = _id_table(self.searcher.reader(), self.postings)
        return self.ids

    def evaluator(self) -> QueryEvaluator:
        return QueryEvaluator(self.searcher, self.postings, self.deadline)


# Searchers open at once: each concurrent search (one per session) takes its own, so a slow
# query never makes the others wait; beyond this many, a search waits for one to be free.
POOL_SIZE = 8
# Seconds a search may spend matching and scoring before it answers with what it has.
TIME_BUDGET = 3.0
TIMEOUT_NOTICE = (
    "La recherche a été interrompue au bout de {seconds} s : les résultats peuvent être incomplets. "
    "Précisez la requête (moins de mots en OR, un début de mot plus long)."
)


class WhooshEngine:
    """Reads the live generation through a pool of searchers, refreshed when the index changes.

    Searches run side by side, each on a snapshot of its own; the engine's lock only
    guards the pool's bookkeeping, never a search.
    """

    def __init__(self, index_root: Path, allow_outdated: bool = False) -> None:
        self.root = Path(index_root)
        # An index of an older version can still be searched while its rebuild runs.
        self.allow_outdated = allow_outdated
        self.outdated = False
        self.time_budget = TIME_BUDGET
        self._lock = threading.Condition()
        self._ix: Any = None
        self._schema: Any = None
        self._dir: Path | None = None
        self._idle: list[_Snapshot] = []
        self._open = 0  # snapshots in existence, idle or in use
        self._closed = False
        # Facet tables of the newest snapshot's index state, shared by snapshots of that state.
        self._shared_tables: tuple[str, FacetTables] | None = None
        self._tables_lock = threading.Lock()
        # (generation, [(doc id, detected entities)]): read once per index generation.
        self._detected_cache: tuple[str, list[tuple[str, Any]]] | None = None
        with self._lock:
            self._open_live()

    # -- opening and refreshing -------------------------------------------------

    def _open_live(self) -> None:
        """Follow CURRENT to the live generation (called with the lock held)."""
        live = store.live_dir(self.root)
        if live is None or not windex.exists_in(str(live)):
            raise IndexMissing(f"no index in {self.root}")
        version = store.index_version(live)
        self.outdated = version != INDEX_VERSION
        if self.outdated and not self.allow_outdated:
            raise IndexOutdated(f"index version {version} differs from this program's; rebuild it")
        self._ix = windex.open_dir(str(live))
        # One schema for every snapshot of this index: each searcher would otherwise unpickle its
        # own, and the analyzers' memos (snippets, stemming) would start cold on every snapshot.
        self._schema = self._ix.schema
        self._dir = live

    @contextmanager
    def _checkout(self, budget: bool = False) -> Iterator[_Snapshot]:
        """A snapshot of the live index for this thread alone, given back afterwards."""
        snap = self._acquire()
        snap.deadline = time.monotonic() + self.time_budget if budget else None
        try:
            yield snap
        finally:
            self._release(snap)

    def _acquire(self) -> _Snapshot:
        while True:
            with self._lock:
                if self._closed:
                    raise IndexMissing(f"engine on {self.root} is closed")
                live = store.live_dir(self.root)
                if live != self._dir:
                    self._open_live()
                while not self._idle and self._open >= POOL_SIZE:
                    self._lock.wait()
                if not self._idle:
                    self._open += 1
                    ix, schema, directory = self._ix, self._schema, self._dir
                    break
                snap = self._idle.pop()
            # Outside the lock: up_to_date() reads the index folder.
            if snap.directory == self._dir and snap.searcher.up_to_date():
                return snap
            self._discard(snap)
        try:
            return self._new_snapshot(ix, schema, directory)
        except BaseException:
            with self._lock:
                self._open -= 1
                self._lock.notify()
            raise

    def _release(self, snap: _Snapshot) -> None:
        with self._lock:
            if self._closed or snap.directory != self._dir:
                self._open -= 1
                snap.searcher.close()
            else:
                self._idle.append(snap)
            self._lock.notify()

    def _discard(self, snap: _Snapshot) -> None:
        snap.searcher.close()
        with self._lock:
            self._open -= 1
            self._lock.notify()

    def _new_snapshot(self, ix, schema, directory: Path) -> _Snapshot:
        # Not Searcher.refresh(): Whoosh's reader reuse keeps segments the new
        # generation dropped, so deleted or moved documents would still be found.
        searcher = ix.searcher(weighting=ArchiveBM25F())
        gen = f"{directory.name}:{searcher.reader().generation()}"
        postings = Postings(searcher.reader())
        with self._tables_lock:  # built once per index state, whichever thread comes first
            shared = self._shared_tables
            if shared is not None and shared[0] == gen:
                tables = shared[1]
            else:
                tables = FacetTables(postings, TABLE_FIELDS)
                self._shared_tables = (gen, tables)
        postings.live = tables.live_mask
        builder = QueryBuilder(schema, self._resolver(tables), _value_for_alias)
        return _Snapshot(gen, directory, searcher, tables, builder, postings, schema["text"].analyzer)

    @staticmethod
    def _resolver(tables: FacetTables):
        def resolve(facet: str, typed: str) -> list[str]:
            fieldname = FACET_FIELDS[facet]
            found = tables.resolve(fieldname, typed)
            if not found and facet == "actor":
                canonical = _actor_for_alias(typed)
                found = [canonical] if canonical else []
            if not found and facet == "scheme":
                from archive.schemes import scheme_for_alias

                canonical = scheme_for_alias(typed)
                found = [canonical] if canonical else []
            return found

        return resolve

    def generation(self) -> str:
        with self._checkout() as snap:
            return snap.generation

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for snap in self._idle:
                snap.searcher.close()
                self._open -= 1
            self._idle.clear()
            if self._ix is not None:
                self._ix.close()

    # -- search -----------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        result = self._search(request)
        corrected = result.suggestion
        # Nothing found and a correction finds something: show its results, as a search
        # engine does, and say so. A query with quotes is taken literally.
        if result.total or corrected is None or result.error or '"' in request.query:
            return result
        fixed = self._search(replace(request, query=corrected))
        if not fixed.total:
            return result
        fixed.query, fixed.corrected, fixed.suggestion = request.query, corrected, corrected
        fixed.notices.insert(
            0,
            f"Aucun document pour « {request.query} » : résultats pour « {corrected} ». "
            f"Pour chercher le mot tel quel, mettez-le entre guillemets.",
        )
        fixed.took_ms += result.took_ms
        return fixed

    def _search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        with self._checkout(budget=True) as snap:
            try:
                parsed = snap.builder.build(request.query)
            except QuerySyntaxError as exc:
                return SearchResult(request.query, 0, _ms(started), [], _empty_facets(), error=str(exc))
            evaluator = snap.evaluator()
            matched = self._matching_docs(snap, parsed, evaluator)
            selections = self._selections(snap, request)
            every = _intersect(matched, selections, exclude=None)
            final = self._collapse(snap, request, every)
            total = int(np.count_nonzero(final))
            facets = self._facet_counts(snap, request, matched, selections, final) if request.with_facets else {}
            hits = self._page(snap, parsed, request, final, evaluator)
            # Fewer than 10 full matches: the list goes on with the closest partial ones.
            if total < PARTIAL_FILL and len(hits) < request.limit and request.offset + len(hits) >= total:
                room = request.limit - len(hits)
                hits += self._partial_hits(snap, parsed, request, selections, every, room, evaluator)
            self._add_versions(snap, hits)
            grouped = int(np.count_nonzero(every)) - total
            suggestion = self._suggest(snap, parsed, evaluator) if total == 0 else None
            notices, offered = list(parsed.notices), []
            if total == 0 and not parsed.is_browse_all:
                count = self._counter(snap, selections, evaluator)
                offered = alternatives(request.query, count, snap.builder.resolve_value)
                excluded = exclusion_notice(request.query, count)
                notices += [excluded] if excluded else []
            notices += self._limit_notices(request, evaluator)
        return SearchResult(
            request.query,
            total,
            _ms(started),
            hits,
            facets,
            suggestion,
            notices=notices,
            alternatives=offered,
            grouped=grouped,
        )

    def _counter(self, snap: _Snapshot, selections: dict[str, np.ndarray], evaluator: QueryEvaluator):
        """How many documents a query string finds under the request's filters (0 if unreadable)."""

        def count(query: str) -> int:
            try:
                parsed = snap.builder.build(query)
            except QuerySyntaxError:
                return 0
            if parsed.is_browse_all:
                return 0
            return int(np.count_nonzero(_intersect(evaluator.match(parsed.required), selections, None)))

        return count

    def _limit_notices(self, request: SearchRequest, evaluator: QueryEvaluator) -> list[str]:
        """What the query limits changed: a fuzzy distance lowered, expansions cut, time up."""
        out = query_notices(request.query) + evaluator.notices
        if evaluator.timed_out:
            out.append(TIMEOUT_NOTICE.format(seconds=f"{self.time_budget:g}"))
        return out

    def _matching_docs(self, snap: _Snapshot, parsed: ParsedQuery, evaluator: QueryEvaluator) -> np.ndarray:
        if parsed.is_browse_all:
            return snap.tables.live_mask
        return evaluator.match(parsed.required)

    def _final_docs(self, snap: _Snapshot, request: SearchRequest) -> list[int]:
        """Document numbers matching the query and the filters of a request, in order; each group
        of versions once when the request groups (as the search's total and facets count them)."""
        parsed = snap.builder.build(request.query)
        matched = self._matching_docs(snap, parsed, snap.evaluator())
        every = _intersect(matched, self._selections(snap, request), None)
        return np.flatnonzero(self._collapse(snap, request, every)).tolist()

    def _selections(self, snap: _Snapshot, request: SearchRequest) -> dict[str, np.ndarray]:
        tables = snap.tables
        out: dict[str, np.ndarray] = {}
        for facet, values in request.filters.items():
            if facet not in FACET_FIELDS or not values:
                continue
            fieldname = FACET_FIELDS[facet]
            exact = [v for typed in values for v in (snap.builder.resolve_value(facet, typed) or [typed])]
            out[facet] = tables.value_mask(fieldname, exact)
        if request.year_from is not None or request.year_to is not None:
            lo = request.year_from if request.year_from is not None else 0
            hi = request.year_to if request.year_to is not None else 9999
            years = [y for y in tables.values("year") if lo <= int(y) <= hi]
            year_docs = tables.value_mask("year", years)
            out["year"] = out["year"] & year_docs if "year" in out else year_docs
        return out

    def _facet_counts(self, snap, request, matched, selections, final) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            fieldname = FACET_FIELDS[facet]
            base = (
                self._collapse(snap, request, _intersect(matched, selections, facet)) if facet in selections else final
            )
            counts = snap.tables.count(fieldname, base)
            for typed in request.filters.get(facet, []):
                for value in snap.builder.resolve_value(facet, typed) or [typed]:
                    counts.setdefault(value, 0)
            if facet == "year":
                out[facet] = {k: counts[k] for k in sorted(counts)}
            else:
                out[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], _name_key(kv[0]))))
        return out

    # -- versions of one text (archive/versions.py) ------------------------------

    def _grouping(self, snap: _Snapshot) -> versions.Grouping:
        return versions.grouping_for(
            snap.directory,
            snap.generation,
            lambda doc_id: snap.searcher.document_number(id=doc_id),
            snap.tables.doc_count_all,
        )

    def _collapse(self, snap: _Snapshot, request: SearchRequest, mask: np.ndarray) -> np.ndarray:
        """The documents of `mask`, each group of versions counted once, when the request groups."""
        if not request.group:
            return mask
        return self._grouping(snap).collapse(mask, snap.tables.datekeys)

    def _add_versions(self, snap: _Snapshot, hits: list[Hit]) -> None:
        grouping = self._grouping(snap)
        for hit in hits:
            hit.versions = grouping.others(hit.id)

    def versions(self, doc_id: str) -> list[versions.Version]:
        with self._checkout() as snap:
            others = self._grouping(snap).others(doc_id)
            scores = versions.pair_similarities(snap.directory, doc_id, others)
            out = []
            for other in others:
                fields = snap.searcher.document(id=other)
                if not fields:
                    continue
                rec = fields["record"]
                path = (rec.get("paths") or [""])[0]
                out.append(
                    versions.Version(
                        other,
                        rec.get("title", ""),
                        rec.get("date"),
                        rec.get("doc_type", ""),
                        path,
                        scores.get(other, 0.0),
                    )
                )
        return sorted(out, key=lambda v: (v.date is None, v.date or "", v.id))

    def _page(self, snap, parsed: ParsedQuery, request: SearchRequest, final, evaluator) -> list[Hit]:
        if not final.any():
            return []
        start, stop = request.offset, request.offset + request.limit
        if request.sort == "relevance" and not parsed.is_browse_all:
            lead = lead_terms(parsed.required)
            depth = -(-stop // RERANK_DEPTH) * RERANK_DEPTH if lead else stop
            ranked = evaluator.top(parsed.required, final, depth)
            if lead:
                ranked = _rerank_by_positions(snap.searcher.reader(), lead, ranked)
            scored = ranked[start:stop]
        else:
            ordered = snap.tables.date_order(final, descending=request.sort != "date", stop=stop)
            scored = [(d, 0.0) for d in ordered[start:stop]]
        terms = self._terms(snap, parsed, evaluator, request.with_snippets)
        return [self._hit(snap, d, score, partial=False, terms=terms) for d, score in scored]

    def _partial_hits(self, snap, parsed, request, selections, final, room, evaluator) -> list[Hit]:
        if parsed.any_word is None or room <= 0:
            return []
        allowed = _intersect(evaluator.match(parsed.any_word), selections, exclude=None) & ~final
        # BM25 over the words each document holds, times the share of the words it holds.
        coverage = evaluator.coverage(word_units(parsed.required)) ** PARTIAL_COVERAGE_POWER
        lead = lead_terms(parsed.required)
        depth = RERANK_DEPTH if lead else min(room, PARTIAL_FILL)
        ranked = evaluator.top(parsed.any_word, allowed, depth, factor=coverage)
        if lead:
            ranked = _rerank_by_positions(snap.searcher.reader(), lead, ranked)
        ranked = ranked[: min(room, PARTIAL_FILL)]
        terms = self._terms(snap, parsed, evaluator, request.with_snippets)
        return [self._hit(snap, d, score, partial=True, terms=terms) for d, score in ranked]

    def _hit(self, snap, docnum: int, score: float, *, partial: bool, terms: frozenset[str] | None) -> Hit:
        """A listed document; with a snippet around `terms` unless they are None (no snippets)."""
        fields = snap.searcher.stored_fields(docnum)
        rec = fields["record"]
        snippet = _snippet(fields.get("text", ""), terms, snap.analyzer) if terms is not None else ""
        return Hit(
            id=rec["id"],
            path=(rec.get("paths") or [""])[0],
            title=rec.get("title", ""),
            date=rec.get("date"),
            year=rec.get("year"),
            actors=list(rec.get("actors", [])),
            themes=list(rec.get("themes", [])),
            places=list(rec.get("places", [])),
            doc_type=rec.get("doc_type", ""),
            language=rec.get("language", ""),
            score=round(float(score), 4),
            snippet=snippet,
            partial=partial,
            schemes=list(rec.get("schemes", [])),
            actors_detected=list(rec.get("actors_detected", [])),
        )

    @staticmethod
    def _terms(
        snap: _Snapshot, parsed: ParsedQuery, evaluator: QueryEvaluator, snippets: bool
    ) -> frozenset[str] | None:
        """The words to mark in the snippets of one search (None: no snippets). Expanding terms
        stand for the words the search itself read (once, within its time budget): expanded
        again for every hit, a prefix-and-fuzzy query spent 17 s of CPU past its 3 s budget."""
        if not snippets:
            return None
        if parsed.is_browse_all:
            return frozenset()
        return _highlight_terms(parsed.any_word or parsed.required, snap.searcher.reader(), evaluator.expansions)

    def _suggest(self, snap: _Snapshot, parsed: ParsedQuery, evaluator: QueryEvaluator) -> str | None:
        """A corrected query that finds something (filters aside), or None."""
        suggestion = self._corrected(snap, parsed)
        if suggestion is None:
            return None
        try:
            found = self._matching_docs(snap, snap.builder.build(suggestion), evaluator).any()
        except QuerySyntaxError:
            return None
        # The spelling lexicon can hold words whose documents were all deleted since.
        return suggestion if found else None

    def _corrected(self, snap: _Snapshot, parsed: ParsedQuery) -> str | None:
        if parsed.is_browse_all or not parsed.words:
            return None
        corrector = snap.searcher.corrector("spell")
        analyzer = snap.analyzer
        reader = snap.searcher.reader()
        changed, out = False, parsed.raw
        for word in parsed.words:
            stems = [t.text for t in analyzer(word)]
            if not stems or all(reader.doc_frequency("text", s) for s in stems):
                continue
            suggestions = corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1)
            if suggestions and suggestions[0] != word.lower():
                out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", suggestions[0], out, count=1)
                changed = True
        return out if changed else None

    # -- documents --------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentRecord | None:
        with self._checkout() as snap:
            fields = snap.searcher.document(id=doc_id)
        return _record_from_stored(fields) if fields else None

    def records(self, request: SearchRequest, with_text: bool = False) -> Iterator[DocumentRecord]:
        """Every full match of a request, in the order the app lists them, read one at a time:
        an export of 100 000 hits never holds them all. The text only when asked."""
        with self._checkout(budget=True) as snap:
            try:
                parsed = snap.builder.build(request.query)
            except QuerySyntaxError:
                return
            evaluator = snap.evaluator()
            final = _intersect(self._matching_docs(snap, parsed, evaluator), self._selections(snap, request), None)
            final = self._collapse(snap, request, final)
            total = int(np.count_nonzero(final))
            if request.sort == "relevance" and not parsed.is_browse_all:
                # The first block as the result pages rank it, then the rest by score.
                top = replace(request, offset=0, limit=min(total, RERANK_DEPTH), with_snippets=False)
                head = [snap.searcher.document_number(id=h.id) for h in self._page(snap, parsed, top, final, evaluator)]
                seen = set(head)
                order = head + [d for d, _ in evaluator.top(parsed.required, final, total) if d not in seen]
            else:
                order = snap.tables.date_order(final, descending=request.sort != "date", stop=total)
            for docnum in order:
                yield _record_from_stored(snap.searcher.stored_fields(docnum), with_text)

    def highlighted_text(self, doc_id: str, query: str) -> str | None:
        """The whole text of a document, escaped, with the query's terms in <mark>."""
        with self._checkout(budget=True) as snap:
            fields = snap.searcher.document(id=doc_id)
            if not fields:
                return None
            text = fields.get("text", "")
            try:
                parsed = snap.builder.build(query)
            except QuerySyntaxError:
                return html.escape(text, quote=False)
            if parsed.is_browse_all:
                return html.escape(text, quote=False)
            expand = snap.evaluator().expansions
            terms = _highlight_terms(parsed.any_word or parsed.required, snap.searcher.reader(), expand)
            analyzer = snap.analyzer
        return mark_all(text, terms, analyzer)

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        with self._checkout() as snap:
            docnum = snap.searcher.document_number(id=doc_id)
            if docnum is None:
                return []
            # = searcher.more_like(docnum, "text", top=limit, numterms=15), ranked with numpy
            key_terms = snap.searcher.key_terms([docnum], "text", numterms=15)
            q = wq.Or([wq.Term("text", word, boost=weight) for word, weight in key_terms])
            evaluator = snap.evaluator()
            allowed = evaluator.match(q)
            allowed[docnum] = False
            ranked = evaluator.top(q, allowed, limit)
            return [self._hit(snap, d, score, partial=False, terms=frozenset()) for d, score in ranked]

    def document_ids(self) -> set[str]:
        with self._checkout() as snap:
            return {snap.searcher.stored_fields(d)["id"] for d in snap.tables.live}

    def trend(
        self,
        requests: list[SearchRequest],
        granularity: str = "year",
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> trends.Trend:
        with self._checkout(budget=True) as snap:
            evaluator = snap.evaluator()
            masks: list[np.ndarray | None] = []
            errors: list[str | None] = []
            for request in requests[: trends.MAX_SERIES]:
                try:
                    parsed = snap.builder.build(request.query)
                except QuerySyntaxError as exc:
                    masks.append(None)
                    errors.append(str(exc))
                    continue
                matched = self._matching_docs(snap, parsed, evaluator)
                masks.append(self._collapse(snap, request, _intersect(matched, self._selections(snap, request), None)))
                errors.append(None)
            keys, live = snap.tables.datekeys, snap.tables.live_mask
            # Shares are of the period's texts, each group of versions once when the series group.
            counted = self._collapse(snap, requests[0], live) if requests else live
            lo, hi = trends.span(keys, live, year_from, year_to)
            queries = [r.query for r in requests[: trends.MAX_SERIES]]
            return trends.compute(keys, live, masks, queries, granularity, lo, hi, errors, counted)

    def matching_ids(self, request: SearchRequest) -> list[str]:
        with self._checkout(budget=True) as snap:
            docs = self._final_docs(snap, request)
            return snap.id_table()[np.asarray(docs, dtype=np.int64)].tolist()

    def detected_entities(self, limit: int = 50) -> list[tuple[str, str, list[str]]]:
        """« Acteurs détectés »: organisations and people found by named-entity recognition
        that the gazetteer does not know, as (name, kind, [document ids]), most documents
        first. Read once per index generation; an actor added since with
        ``gazetteer.add_actor`` disappears from the list at once."""
        from archive.gazetteer import candidate_actors

        with self._checkout() as snap:
            cached = self._detected_cache
            if cached is None or cached[0] != snap.generation:
                rows = []
                for d in snap.tables.live:
                    rec = snap.searcher.stored_fields(d)["record"]
                    # Detected actors admitted to the facet (« détecté ») await confirmation too.
                    found = list(rec.get("detected_entities") or [])
                    found += [{"name": n, "kind": "organisation"} for n in rec.get("actors_detected") or []]
                    if found:
                        rows.append((rec["id"], found))
                cached = (snap.generation, rows)
                self._detected_cache = cached
        return candidate_actors(cached[1], limit)

    # -- aggregates -------------------------------------------------------------

    def facet_values(self, facet: str) -> dict[str, int]:
        with self._checkout() as snap:
            tables = snap.tables
            counts = tables.count(FACET_FIELDS.get(facet, facet), tables.live_mask)
        return dict(counts.most_common())

    def timeline(
        self,
        request: SearchRequest,
        granularity: str = "year",
        split_by: str | None = None,
        top: int = 5,
        series: list[str] | None = None,
    ) -> Timeline:
        with self._checkout(budget=True) as snap:
            final = self._final_docs(snap, request)
            return _timeline(snap.tables, final, granularity, split_by, top, series)

    def period_hits(self, request: SearchRequest, period: str) -> tuple[list[Hit], int]:
        """The documents of one timeline period ("2020" or "2020-05") matching the request, oldest
        first, paged by request.offset/limit; and how many there are."""
        year, _, month = period.partition("-")
        with self._checkout(budget=True) as snap:
            parsed = snap.builder.build(request.query)
            final = self._final_docs(snap, request)
            keys = snap.tables.datekeys
            if month:
                wanted, div = int(year) * 100 + int(month), 100
            else:
                wanted, div = int(year), 10000
            docs = np.array(final, dtype=np.int64)
            docs = docs[(keys[docs] != 0) & (keys[docs] // div == wanted)]
            docs = docs[np.argsort(keys[docs], kind="stable")].tolist()
            page = docs[request.offset : request.offset + request.limit]
            terms = self._terms(snap, parsed, snap.evaluator(), request.with_snippets)
            return [self._hit(snap, d, 0.0, partial=False, terms=terms) for d in page], len(docs)

    def stats(self) -> IndexStats:
        with self._checkout() as snap:
            tables, live = snap.tables, snap.tables.live_mask
            updated = store.newest_mtime(snap.directory.glob("_MAIN_*.toc"))
            return IndexStats(
                documents=int(np.count_nonzero(live)),
                failed=[],
                by_year=dict(sorted(tables.count("year", live).items())),
                by_language=dict(tables.count("language", live).most_common()),
                by_format=dict(tables.count("format", live).most_common()),
                index_bytes=store.directory_bytes(snap.directory),
                last_update=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(updated)) if updated else None,
                generation=snap.generation,
            )


def _id_table(reader, postings: Postings) -> np.ndarray:
    """Every live document's id by document number, from the id field's term index (an id term
    names its one document there; only an id updated inside a segment needs its postings)."""
    table = np.full(reader.doc_count_all(), "", dtype=object)
    live = postings.live
    for leaf, offset in reader.leaf_readers():
        for text, info in leaf.iter_field("id"):
            if info.doc_frequency() == 1:
                docnum = info.min_id() + offset
                if live[docnum]:
                    table[docnum] = text.decode("utf-8")
    missing = [d for d in np.flatnonzero(live & (table == "")).tolist()]
    for docnum in missing:  # ids with a deleted older posting in the same segment
        table[docnum] = reader.stored_fields(docnum)["id"]
    return table


def _timeline(tables: FacetTables, docs: list[int], granularity: str, split_by, top, series) -> Timeline:
    monthly = granularity == "month"
    docs_array = np.asarray(docs, dtype=np.int64)
    keys = tables.datekeys[docs_array]
    dated_mask = (keys != 0) & (keys // 100 % 100 != 0) if monthly else keys != 0
    dated, keys = docs_array[dated_mask], keys[dated_mask]
    undated = len(docs_array) - len(dated)
    # Period of each dated document as a number: months since year 0, or the year.
    code = (keys // 10000) * 12 + (keys // 100 % 100 - 1) if monthly else keys // 10000
    first = int(code.min()) if len(code) else 0
    periods = _period_labels(first, int(code.max()), monthly) if len(code) else []
    slot = code - first

    def per_period(selected: np.ndarray) -> list[int]:
        return np.bincount(slot[selected], minlength=len(periods)).tolist()

    out: dict[str, list[int]] = {}
    if split_by is None:
        out["documents"] = per_period(np.ones(len(dated), dtype=bool))
    else:
        fieldname = FACET_FIELDS[split_by]
        chosen = series or [v for v, _ in tables.count(fieldname, dated).most_common(top)]
        for name in chosen:
            out[name] = per_period(tables.value_mask(fieldname, [name])[dated])
        others = per_period(~tables.value_mask(fieldname, chosen)[dated])
        if any(others) and not series:
            out["autres"] = others
    return Timeline(granularity, periods, out, undated)


def _period_labels(first: int, last: int, monthly: bool) -> list[str]:
    """Every period from the first to the last, empty ones included."""
    if not monthly:
        return [str(y) for y in range(first, last + 1)]
    return [f"{c // 12:04d}-{c % 12 + 1:02d}" for c in range(first, last + 1)]


def _rerank_by_positions(reader, terms: list[str], ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Raise the score of documents whose lead holds the words, and whose words stand close together.

    Lead: × (1 + LEAD_BONUS × share of the words among the first LEAD_POSITIONS words).
    Proximity (2 to 8 words): × (1 + PROXIMITY_BONUS) when every word lies within a few
    positions of the others. Positions are read only for the ranked documents (skip_to).
    """
    matchers = [reader.postings("text", t) if ("text", t) in reader else None for t in terms]
    positions: dict[int, list[list[int]]] = {d: [] for d, _ in ranked}
    for matcher in matchers:
        for docnum in sorted(positions):
            found: list[int] = []
            if matcher is not None and matcher.is_active():
                matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found = list(matcher.value_as("positions"))
            positions[docnum].append(found)
    near_terms = 2 <= len(terms) <= MAX_PROXIMITY_TERMS
    window_max = len(terms) - 1 + PROXIMITY_SLOP
    rescored = []
    for docnum, score in ranked:
        held = positions[docnum]
        lead_share = sum(1 for p in held if p and min(p) < LEAD_POSITIONS) / len(terms)
        score *= 1 + LEAD_BONUS * lead_share
        if near_terms:
            width = closest_window(held)
            if width is not None and width <= window_max:
                score *= 1 + PROXIMITY_BONUS
        rescored.append((docnum, score))
    rescored.sort(key=lambda pair: -pair[1])  # stable: BM25 order among equals
    return rescored


def _intersect(matched: np.ndarray, selections: dict[str, np.ndarray], exclude: str | None) -> np.ndarray:
    out = matched
    for facet, docs in selections.items():
        if facet != exclude:
            out = out & docs
    return out


def _highlight_terms(q: wq.Query, reader, expand: Callable[[wq.Query], list[bytes]]) -> frozenset[str]:
    """Analysed text terms to highlight (prefixes expanded by `expand`, negated parts skipped)."""
    out: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, EXPANDING):  # as many words as the search itself used, no more
            if node.fieldname in TEXT_FIELDS:
                out.update(_text(t) for t in expand(node))
            return
        if node.is_leaf():
            for fieldname, text in node.existing_terms(reader, expand=True):
                if fieldname in TEXT_FIELDS:
                    out.add(_text(text))
            return
        for child in node.children():
            walk(child)

    walk(q)
    return frozenset(out)


def _snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """Up to two marked fragments around the terms, else the document's opening lines."""
    if terms:
        fragment = highlight_text(text, terms, analyzer)
        if fragment:
            return fragment
    return html.escape(_lead(text), quote=False)


SNIPPET_SURROUND = 60


def highlight_text(text: str, terms: frozenset[str], analyzer) -> str:
    """= highlight.highlight(text, terms, analyzer, fragmenter, _MarkFormatter(), top=2), faster:
    the words are analysed once each (memoised) and only the stretches around matched words are
    tokenised for the fragmenter."""
    fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_SURROUND)
    terms = frozenset(terms)
    tokens = highlight.set_matched_filter(_highlight_tokens(text, analyzer, terms, fragmenter.charlimit), terms)
    fragments = highlight.top_fragments(
        fragmenter.fragment_tokens(text, tokens), 2, highlight.BasicFragmentScorer(), highlight.FIRST, 1
    )
    snippet = _MarkFormatter()(text, fragments)
    return " ".join(snippet.split())


_MEMO_MAX_WORDS = 400_000
_SPACE = re.compile(r"\s")
_word_memo: dict[int, tuple[Any, dict[str, tuple[tuple[str, int, int, bool], ...]]]] = {}
# Characters of text tokenised before and after a matched word: the context fragmenter never
# looks further (its « surround » before; a fragment of at most SNIPPET_CHARS of words after),
# so fragments come out as if the whole text had been tokenised.
_BEFORE = 2 * SNIPPET_SURROUND + 40
_AFTER = 3 * SNIPPET_CHARS + 2 * SNIPPET_SURROUND


def _highlight_tokens(text: str, analyzer, terms: frozenset[str] | None = None, charlimit: int | None = None):
    """The tokens of `analyzer(text, chars=True, mode="query", removestops=False)`; with `terms`,
    only those near a word whose tokens include one of the terms.

    Every filter of the French chain works on one word at a time, so each
    distinct word is analysed once (stemming dominated the cost of snippets)
    and its tokens are replayed with shifted offsets. Analyzers that do not
    start with a RegexTokenizer fall back to the analyzer itself.
    """
    items = getattr(analyzer, "items", None)
    if not items or not isinstance(items[0], RegexTokenizer) or items[0].gaps:
        yield from analyzer(text, chars=True, mode="query", removestops=False)
        return
    entry = _word_memo.get(id(analyzer))
    if entry is None or entry[0] is not analyzer:
        _word_memo.clear()
        entry = _word_memo[id(analyzer)] = (analyzer, {})
    memo = entry[1]
    if len(memo) > _MEMO_MAX_WORDS:
        memo.clear()

    def outputs_of(word: str) -> tuple[tuple[str, int, int, bool], ...]:
        outputs = memo.get(word)
        if outputs is None:
            outputs = memo[word] = tuple(
                (t.text, t.startchar, t.endchar, t.stopped)
                for t in analyzer(word, chars=True, mode="query", removestops=False)
            )
        return outputs

    # The fragmenter stops at the first token ending past `charlimit`: no need to read further
    # than the first space after it (a word is never cut).
    end = len(text)
    if charlimit is not None and charlimit < end:
        space = _SPACE.search(text, charlimit)
        end = space.start() if space else end
    words = [(m.start(), m.group()) for m in items[0].expression.finditer(text, 0, end)]
    if terms is not None:
        matched = {w for w in {w for _, w in words} if any(out[0] in terms for out in outputs_of(w))}
        windows: list[list[int]] = []
        for start, word in words:
            if word in matched:
                if windows and start - _BEFORE <= windows[-1][1]:
                    windows[-1][1] = start + _AFTER
                else:
                    windows.append([start - _BEFORE, start + _AFTER])
        words = _inside(words, windows)
    token = Token(positions=False, chars=True, removestops=False, mode="query")
    for start, word in words:
        for out_text, out_start, out_end, stopped in outputs_of(word):
            token.text = out_text
            token.boost = 1.0
            token.stopped = stopped
            token.startchar = start + out_start
            token.endchar = start + out_end
            yield token


def _inside(words: list[tuple[int, str]], windows: list[list[int]]) -> list[tuple[int, str]]:
    """The words (sorted by position) that start inside one of the sorted, disjoint windows."""
    kept, i = [], 0
    for start, word in words:
        while i < len(windows) and windows[i][1] < start:
            i += 1
        if i == len(windows):
            break
        if start >= windows[i][0]:
            kept.append((start, word))
    return kept


def mark_all(text: str, terms: frozenset[str], analyzer) -> str:
    """Escape the whole text and wrap every occurrence of the terms in <mark>.

    Tokens over the same characters (a compound and its parts: « Bpifrance », « bpi »,
    « france ») make one mark, not « BpifranceBpifrance »."""
    spans: list[list[int]] = []
    for token in analyzer(text, chars=True, mode="index", removestops=True):
        if token.text not in terms:
            continue
        if spans and token.startchar < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], token.endchar)
        else:
            spans.append([token.startchar, token.endchar])
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(html.escape(text[last:start], quote=False))
        out.append("<mark>" + html.escape(text[start:end], quote=False) + "</mark>")
        last = end
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def _lead(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _empty_facets() -> dict[str, dict[str, int]]:
    return {f: {} for f in FACETS}


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _actor_for_alias(phrase: str) -> str | None:
    from archive.gazetteer import actor_for_alias

    return actor_for_alias(phrase)


def _value_for_alias(phrase: str) -> tuple[str, str] | None:
    """The actor, else the scheme, that a typed phrase names by one of its aliases."""
    from archive.schemes import scheme_for_alias

    actor = _actor_for_alias(phrase)
    if actor:
        return ("actors", actor)
    scheme = scheme_for_alias(phrase)
    return ("schemes", scheme) if scheme else None


def live_ids(generation: Path) -> set[str]:
    """Ids of the documents a generation holds (deleted ones excluded)."""
    ix = windex.open_dir(str(generation))
    try:
        with ix.reader() as reader:
            out: set[str] = set()
            # Per segment: a segment without deletions holds every id of its lexicon; asking the
            # whole reader about each id instead looked it up in every segment (10 s at 100 000).
            for leaf, _ in reader.leaf_readers():
                if not leaf.has_deletions():
                    out.update(term.decode("utf-8") for term in leaf.lexicon("id"))
                    continue
                for term in leaf.lexicon("id"):
                    if any(True for _ in leaf.postings("id", term).all_ids()):
                        out.add(term.decode("utf-8"))
            return out
    finally:
        ix.close()


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class WhooshBackend:
    """The Whoosh implementation of `archive.engine.Backend`."""

    version = INDEX_VERSION

    def index_exists(self, generation: Path) -> bool:
        return windex.exists_in(str(generation))

    def create_index(self, generation: Path) -> None:
        create_whoosh_index(generation)

    def open(self, index_root: Path, allow_outdated: bool = False) -> WhooshEngine:
        return WhooshEngine(index_root, allow_outdated=allow_outdated)

    def writer(self, generation: Path, *, bulk: bool = False) -> WhooshWriter:
        return WhooshWriter(generation, bulk=bulk)

    def prepare(self, record: DocumentRecord) -> WhooshDocument:
        return prepare_document(record)

    def read_records(self, generation: Path, doc_ids: list[str]) -> dict[str, DocumentRecord]:
        return read_records(generation, doc_ids)

    def indexed_ids(self, generation: Path) -> set[str]:
        return live_ids(generation)


BACKEND = WhooshBackend()
