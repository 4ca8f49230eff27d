"""The Whoosh backend: `WhooshBackend` (archive.engine.Backend) and `WhooshEngine` (SearchEngine).

Size (~690 lines): WhooshEngine's pool of searchers plus one short adapter per SearchEngine
method; the logic they call lives in archive/search_logic/, writing in writer.py, snippets in
snippets.py.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.searching import Searcher

from archive import config, store, trends, versions
from archive.alternatives import alternatives, exclusion_notice
from archive.facet_registry import BY_NAME
from archive.facets import FacetTables
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
from archive.search_logic.aliases import value_for_alias, value_resolver
from archive.search_logic.detected import detected_rows
from archive.search_logic.facet_counts import facet_counts, intersect, selections
from archive.search_logic.proximity import RERANK_DEPTH
from archive.search_logic.relevance import most_like, partial_matches, partial_room, ranked_page
from archive.search_logic.spelling import SPELLING_CANDIDATES, corrected, search_with_correction
from archive.search_logic.timeline import timeline
from archive.whoosh import fixes  # noqa: F401  (applies local Whoosh fixes)
from archive.whoosh.postings import Postings
from archive.whoosh.query import (
    ParsedQuery,
    QueryBuilder,
    lead_terms,
    query_notices,
    word_units,
)
from archive.whoosh.ranking import ArchiveBM25F, QueryEvaluator
from archive.whoosh.schema import FACET_FIELDS, INDEX_VERSION
from archive.whoosh.snippets import highlight_terms, mark_all, result_snippet
from archive.whoosh.term_cache import TermCache
from archive.whoosh.writer import (
    WhooshDocument,
    WhooshWriter,
    create_whoosh_index,
    live_ids,
    prepare_document,
    read_records,
    record_from_stored,
)

# Fields read into FacetTables: every facet's, and the format (counted by stats()).
TABLE_FIELDS = (*FACET_FIELDS.values(), "format")


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

    # -- archive.search_logic.port.IndexState ------------------------------------

    def record(self, docnum: int) -> dict[str, Any]:
        return self.searcher.stored_fields(docnum)["record"]

    def record_by_id(self, doc_id: str) -> dict[str, Any] | None:
        fields = self.searcher.document(id=doc_id)
        return fields["record"] if fields else None

    def positions(self, terms: list[str], docnums: list[int]) -> dict[int, list[list[int]]]:
        """Positions in the text field, read only for the documents asked (their blocks alone)."""
        return self.postings.positions_by_doc("text", terms, docnums)


class _SearchView:
    """archive.search_logic.port.IndexState for one search: a snapshot whose word positions come
    from the postings the search's evaluator has read (decoded once, not read again)."""

    def __init__(self, snap: _Snapshot, evaluator: QueryEvaluator) -> None:
        self.generation, self.tables = snap.generation, snap.tables
        self.record, self.record_by_id = snap.record, snap.record_by_id
        self.positions = evaluator.positions_by_doc


@dataclass
class _WhooshQuery:
    """archive.search_logic.port.ScoredQuery: a Whoosh query on the numpy evaluator."""

    evaluator: QueryEvaluator
    q: wq.Query
    lead: list[str]
    units: list[wq.Query] | None = None  # the words whose share coverage() measures

    def match(self) -> np.ndarray:
        return self.evaluator.match(self.q)

    def top(self, allowed: np.ndarray, depth: int, factor: np.ndarray | None = None) -> list[tuple[int, float]]:
        return self.evaluator.top(self.q, allowed, depth, factor=factor)

    def coverage(self) -> np.ndarray:
        return self.evaluator.coverage(self.units or [])


# Searchers open at once: each concurrent search (one per session) takes its own, so a slow
# query never makes the others wait; beyond this many, a search waits for one to be free.
POOL_SIZE = 8
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
        self.time_budget = config.search_time_budget()
        self._lock = threading.Condition()
        self._ix: Any = None
        self._schema: Any = None
        self._dir: Path | None = None
        self._idle: list[_Snapshot] = []
        self._open = 0  # snapshots in existence, idle or in use
        self._closed = False
        # Facet tables and decoded postings of the newest snapshot's index state, shared by the
        # snapshots of that state (a new state starts both afresh: nothing stale is read).
        self._shared_tables: tuple[str, FacetTables, TermCache | None] | None = None
        self._cache_bytes = config.postings_cache_bytes()
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
            raise IndexMissing(f"aucun index dans {self.root}")
        version = store.index_version(live)
        self.outdated = version != INDEX_VERSION
        if self.outdated and not self.allow_outdated:
            raise IndexOutdated(f"index de version {version}, ce programme lit la version {INDEX_VERSION}")
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
                    raise IndexMissing(f"moteur de recherche fermé ({self.root})")
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
                tables, cache = shared[1], shared[2]
            else:
                tables = FacetTables(
                    postings.live,
                    {field: postings.field_values(field) for field in TABLE_FIELDS},
                    postings.column("datekey"),
                )
                cache = TermCache(self._cache_bytes) if self._cache_bytes else None
                self._shared_tables = (gen, tables, cache)
        postings.live = tables.live_mask
        postings.cache = cache
        builder = QueryBuilder(schema, value_resolver(tables), value_for_alias)
        return _Snapshot(gen, directory, searcher, tables, builder, postings, schema["text"].analyzer)

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
        return search_with_correction(self._search, request)

    def _search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        with self._checkout(budget=True) as snap:
            try:
                parsed = snap.builder.build(request.query)
            except QuerySyntaxError as exc:
                return SearchResult(request.query, 0, _ms(started), [], _empty_facets(), error=str(exc))
            evaluator = snap.evaluator()
            matched = self._matching_docs(snap, parsed, evaluator)
            selected = self._selections(snap, request)
            every = intersect(matched, selected, exclude=None)
            final = self._collapse(snap, request, every)
            total = int(np.count_nonzero(final))
            facets = {}
            if request.with_facets:
                resolve, collapse = snap.builder.resolve_value, lambda mask: self._collapse(snap, request, mask)
                facets = facet_counts(snap.tables, request, matched, selected, final, resolve, collapse)
            hits = self._page(snap, parsed, request, final, evaluator)
            # Few full matches: the list goes on with the closest partial ones.
            room = partial_room(request, total, len(hits))
            if room:
                hits += self._partial_hits(snap, parsed, request, selected, every, room, evaluator)
            self._add_versions(snap, hits)
            grouped = int(np.count_nonzero(every)) - total
            suggestion = self._suggest(snap, parsed, evaluator) if total == 0 else None
            notices, offered = list(parsed.notices), []
            if total == 0 and not parsed.is_browse_all:
                count = self._counter(snap, selected, evaluator)
                containing = lambda facet, word: snap.tables.containing(BY_NAME[facet].field, word)  # noqa: E731
                offered = alternatives(request.query, count, snap.builder.resolve_value, containing)
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
            return int(np.count_nonzero(intersect(evaluator.match(parsed.required), selections, None)))

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
        every = intersect(matched, self._selections(snap, request), None)
        return np.flatnonzero(self._collapse(snap, request, every)).tolist()

    def _selections(self, snap: _Snapshot, request: SearchRequest) -> dict[str, np.ndarray]:
        return selections(snap.tables, request, snap.builder.resolve_value)

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
            return versions.listed(others, scores, snap.record_by_id)

    def _page(self, snap, parsed: ParsedQuery, request: SearchRequest, final, evaluator) -> list[Hit]:
        if not final.any():
            return []
        start, stop = request.offset, request.offset + request.limit
        if request.sort == "relevance" and not parsed.is_browse_all:
            query = _WhooshQuery(evaluator, parsed.required, lead_terms(parsed.required))
            scored = ranked_page(query, _SearchView(snap, evaluator), final, start, stop)
        else:
            ordered = snap.tables.date_order(final, descending=request.sort != "date", stop=stop)
            scored = [(d, 0.0) for d in ordered[start:stop]]
        terms = self._terms(snap, parsed, evaluator, request.with_snippets)
        return [self._hit(snap, d, score, partial=False, terms=terms) for d, score in scored]

    def _partial_hits(self, snap, parsed, request, selections, final, room, evaluator) -> list[Hit]:
        if parsed.any_word is None or room <= 0:
            return []
        units = word_units(parsed.required)
        any_word = _WhooshQuery(evaluator, parsed.any_word, lead_terms(parsed.required), units)
        ranked = partial_matches(any_word, _SearchView(snap, evaluator), selections, final, room)
        terms = self._terms(snap, parsed, evaluator, request.with_snippets)
        return [self._hit(snap, d, score, partial=True, terms=terms) for d, score in ranked]

    def _hit(self, snap, docnum: int, score: float, *, partial: bool, terms: frozenset[str] | None) -> Hit:
        """A listed document; with a snippet around `terms` unless they are None (no snippets)."""
        fields = snap.searcher.stored_fields(docnum)
        rec = fields["record"]
        snippet = result_snippet(fields.get("text", ""), terms, snap.analyzer) if terms is not None else ""
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
        return highlight_terms(parsed.any_word or parsed.required, snap.searcher.reader(), evaluator.expansions)

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
        reader = snap.searcher.reader()

        def known(word: str) -> bool:
            stems = [t.text for t in snap.analyzer(word)]
            return not stems or all(reader.doc_frequency("text", s) for s in stems)

        def suggest(word: str) -> list[str]:
            return corrector.suggest(word, limit=SPELLING_CANDIDATES, maxdist=2, prefix=1)

        return corrected(parsed.raw, parsed.words, known, suggest)

    # -- documents --------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentRecord | None:
        with self._checkout() as snap:
            fields = snap.searcher.document(id=doc_id)
        return record_from_stored(fields) if fields else None

    def records(self, request: SearchRequest, with_text: bool = False) -> Iterator[DocumentRecord]:
        """Every full match of a request, in the order the app lists them, read one at a time:
        an export of 100 000 hits never holds them all. The text only when asked."""
        with self._checkout(budget=True) as snap:
            try:
                parsed = snap.builder.build(request.query)
            except QuerySyntaxError:
                return
            evaluator = snap.evaluator()
            final = intersect(self._matching_docs(snap, parsed, evaluator), self._selections(snap, request), None)
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
                yield record_from_stored(snap.searcher.stored_fields(docnum), with_text)

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
            terms = highlight_terms(parsed.any_word or parsed.required, snap.searcher.reader(), expand)
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
            ranked = most_like(_WhooshQuery(snap.evaluator(), q, []), docnum, limit)
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
                masks.append(self._collapse(snap, request, intersect(matched, self._selections(snap, request), None)))
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
                cached = (snap.generation, detected_rows(snap))
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
            return timeline(snap.tables, final, granularity, split_by, top, series)

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


def _empty_facets() -> dict[str, dict[str, int]]:
    return {f: {} for f in FACETS}


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


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
