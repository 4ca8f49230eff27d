"""Posting lists and field lengths of a Whoosh index as numpy arrays.

Whoosh's matchers step through postings one document at a time in Python, which
costs 0.3–0.6 s per query at 100 000 documents. Its Whoosh 3 codec stores
postings in blocks of up to 128 (document deltas, weights, values); reading
whole blocks into numpy arrays lets matching and BM25 ranking run as array
operations instead.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from archive.whoosh.schema import CompactPositions

# Whoosh stores field lengths as one byte; this table decodes them all at once.
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


def live_mask(reader) -> np.ndarray:
    """Boolean mask of a reader's documents that are not deleted."""
    mask = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            deleted = np.fromiter(leaf._perdoc.deleted_docs(), dtype=np.int64)
            mask[deleted + offset] = False
    return mask


class Postings:
    """Numpy views of one reader's postings; `live` marks the documents not deleted."""

    def __init__(self, reader, live: np.ndarray | None = None) -> None:
        self.reader = reader
        self.live = live_mask(reader) if live is None else live
        self.leaves = list(reader.leaf_readers())
        self._lengths: dict[str, np.ndarray] = {}

    def ids(self, fieldname: str, text: str | bytes) -> np.ndarray:
        return self.postings(fieldname, text)[0]

    def postings(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term, live documents only, in document order."""
        ids, weights, _ = self._read(fieldname, text, want_values=False)
        return ids, weights

    def positions(self, fieldname: str, text: str | bytes, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs of a term in the documents of the boolean mask `wanted`."""
        ids, _, values = self._read(fieldname, text, want_values=True, wanted=wanted)
        if not len(ids):
            return _EMPTY_IDS, _EMPTY_IDS
        fmt = self.reader.schema[fieldname].format
        if isinstance(fmt, CompactPositions) and all(v[:1] == b"H" for v in values):
            # Every document's deltas fit in 16 bits: decode them all in one go.
            counts = np.fromiter(((len(v) - 1) // 2 for v in values), dtype=np.int64, count=len(values))
            deltas = np.frombuffer(b"".join([v[1:] for v in values]), dtype=np.uint16).astype(np.int64)
            return np.repeat(ids, counts), _restarting_cumsum(deltas, counts)
        decoded = [fmt.decode_positions(v) for v in values]
        counts = np.fromiter((len(p) for p in decoded), dtype=np.int64, count=len(decoded))
        flat = np.fromiter(chain.from_iterable(decoded), dtype=np.int64, count=int(counts.sum()))
        return np.repeat(ids, counts), flat

    def lengths(self, fieldname: str) -> np.ndarray:
        """Length of the field in every document (Whoosh's one-byte approximation)."""
        found = self._lengths.get(fieldname)
        if found is None:
            codes = self._column(_lenfield(fieldname), LENGTHS_COLUMN, np.uint8)
            found = self._lengths[fieldname] = _BYTE_LENGTHS[codes]
        return found

    def field_values(self, fieldname: str) -> dict[str, np.ndarray]:
        """Each term of a (small) facet field with its live documents. An older index (searched
        while its rebuild runs) may lack a field: no values then."""
        reader = self.reader
        if fieldname not in reader.schema:
            return {}
        return {term.decode("utf-8"): self.ids(fieldname, term) for term in reader.lexicon(fieldname)}

    def column(self, fieldname: str) -> np.ndarray:
        """The values of a sortable NUMERIC field for every document (0 where it has none)."""
        if fieldname not in self.reader.schema or not self.reader.has_column(fieldname):
            return np.zeros(len(self.live), dtype=np.int64)
        field = self.reader.schema[fieldname]
        column_type = field.column_type
        dtype = np.dtype(column_type._typecode).newbyteorder(">")  # struct "!" order
        values = self._column(fieldname, column_type, dtype).astype(np.int64)
        # = field.from_column_value for integers: signed ones are stored shifted to sort as unsigned.
        return values - (1 << (field.bits - 1)) if field.signed else values

    def _column(self, name: str, column_type, dtype) -> np.ndarray:
        """A fixed-width Whoosh column over all segments, read as raw bytes."""
        dtype = np.dtype(dtype)
        parts = []
        for leaf, _ in self.leaves:
            values = np.full(leaf.doc_count_all(), column_type._default, dtype=dtype)
            perdoc = getattr(leaf, "_perdoc", None)
            if perdoc is not None and perdoc.has_column(name):
                column = perdoc.column_reader(name, column_type)
                raw = column._dbfile.get(column._basepos, column._count * dtype.itemsize)
                values[: column._count] = np.frombuffer(raw, dtype=dtype)
            parts.append(values)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def _read(self, fieldname, text, want_values: bool, wanted: np.ndarray | None = None):
        ids_parts, weight_parts, values = [], [], []
        for leaf, offset in self.leaves:
            if (fieldname, text) not in leaf:
                continue
            matcher = _unwrap(leaf.postings(fieldname, text))
            for block_ids, block_weights, block_values in _blocks(matcher, want_values):
                block_ids = block_ids + offset
                keep = self.live[block_ids] if wanted is None else wanted[block_ids]
                if not keep.all():
                    block_ids, block_weights = block_ids[keep], block_weights[keep]
                    if want_values:
                        block_values = [v for v, k in zip(block_values, keep.tolist(), strict=True) if k]
                ids_parts.append(block_ids)
                weight_parts.append(block_weights)
                if want_values:
                    values.extend(block_values)
        if not ids_parts:
            return _EMPTY_IDS, _EMPTY_WEIGHTS, values
        return np.concatenate(ids_parts), np.concatenate(weight_parts), values


def _restarting_cumsum(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sums of consecutive runs of `counts` values, each run starting again from 0."""
    running = np.cumsum(deltas)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, running[np.maximum(starts - 1, 0)], 0)
    return running - np.repeat(before, counts)


def _unwrap(matcher):
    # A segment with deletions wraps its matcher; deletions are handled with the live mask.
    while type(matcher) is FilterMatcher:
        matcher = matcher.child
    return matcher


def _blocks(matcher, want_values: bool):
    """(ids, weights, values) of each posting block, ids local to the segment."""
    if type(matcher) is not W3LeafMatcher:  # inlined postings of rare terms
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if want_values:
                values.append(matcher.value())
            matcher.next()
        yield np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32), values
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, values = matcher._data
        count = matcher._blocklength
        ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
        if weights is None:
            block_weights = np.ones(count, dtype=np.float32)
        elif isinstance(weights, float):
            block_weights = np.full(count, weights, dtype=np.float32)
        else:
            block_weights = np.asarray(weights, dtype=np.float32)
        yield ids, block_weights, (values if want_values else None)
        matcher._next_block()
