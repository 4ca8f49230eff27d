"""Writing a Whoosh generation: documents as Whoosh fields, the writer, its merge policy, and
reading records back straight from a generation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.fields import Schema

from archive.analysis import join_values
from archive.gazetteer import roll_up_actors
from archive.models import DocumentRecord
from archive.review import review_flags
from archive.whoosh import fixes  # noqa: F401  (the on-disk format they change is written here)
from archive.whoosh.schema import PreAnalysed, build_schema

_SPELL_WORD = re.compile(r"[^\W\d_]{3,}")


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
    """Whoosh merge policy of a bulk build: merge the smallest segments, never beyond
    MERGED_DOCS_MAX documents."""
    picked = segments_to_merge([s.doc_count() for s in segments], tiered=False)
    return _merge(writer, segments, [segments[i] for i in picked])


# An incremental update (the watcher's batch, an upload) merges a segment into smaller ones only
# once they hold at least 1/TIER_RATIO of its documents, so a document is rewritten a few times in
# its life (each merge at least 1.5× its segment) instead of the 10 000-document segment of a lab's
# index being rewritten every few batches of a handful of files.
TIER_RATIO = 2
TIER_FLOOR = 100  # segments this small always merge together


def segments_to_merge(counts: list[int], tiered: bool = True) -> list[int]:
    """Indices (into ``counts``, the segments' document counts) of the segments a commit merges:
    none while fewer than SMALL_SEGMENTS_MAX are small; else the smallest ones (at least two), up to
    MERGED_DOCS_MAX documents and, when ``tiered``, each joining only when it is at most
    TIER_RATIO × what is already chosen."""
    small = sorted((i for i, n in enumerate(counts) if n < MERGED_DOCS_MAX // 2), key=counts.__getitem__)
    if len(small) < SMALL_SEGMENTS_MAX:
        return []
    chosen, total = small[:2], counts[small[0]] + counts[small[1]]
    for i in small[2:]:
        if total + counts[i] > MERGED_DOCS_MAX or (tiered and counts[i] > max(TIER_FLOOR, TIER_RATIO * total)):
            break
        chosen.append(i)
        total += counts[i]
    return chosen


def tiered_merge(writer, segments):
    """Whoosh merge policy of an incremental update (see segments_to_merge)."""
    picked = segments_to_merge([s.doc_count() for s in segments])
    return _merge(writer, segments, [segments[i] for i in picked])


def _merge(writer, segments, chosen):
    from whoosh.reading import SegmentReader

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
        self._writer.commit(mergetype=bounded_merge if self._fresh else tiered_merge)
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
                    found[doc_id] = record_from_stored(fields)
            return found
    finally:
        ix.close()


def record_from_stored(fields: dict[str, Any], with_text: bool = True) -> DocumentRecord:
    data = dict(fields["record"])
    data["text"] = fields.get("text", "") if with_text else ""
    return DocumentRecord.from_dict(data)


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
