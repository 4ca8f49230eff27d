"""Posting lists and field lengths of a Whoosh index as numpy arrays.

Whoosh's matchers step through postings one document at a time in Python, which
costs 0.3–0.6 s per query at 100 000 documents. Its Whoosh 3 codec stores
postings in blocks of up to 128 (document deltas, weights, values); reading
whole blocks into numpy arrays lets matching and BM25 ranking run as array
operations instead. The blocks are read straight from the segment's buffer
(`_leaf_postings`): Whoosh's matcher spent more on its per-block bookkeeping than
the blocks' data cost to decode. This reads the Whoosh 3 codec's layout, which
fixes.check_version pins to the whoosh-reloaded release it was written for.
"""

from __future__ import annotations

import io
import pickle
import struct
from array import array
from collections.abc import Callable
from functools import partial
from itertools import chain

import numpy as np
from isal import isal_zlib as zlib  # inflates Whoosh's zlib blocks a third faster than zlib itself
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermsReader, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from archive.whoosh.schema import CompactPositions
from archive.whoosh.term_cache import TermCache

# Whoosh stores field lengths as one byte; this table decodes them all at once.
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
# read(term, wanted mask) → (documents, positions) of the term in the wanted documents
PositionReader = Callable[[str, np.ndarray], tuple[np.ndarray, np.ndarray]]
_SHORT = ord("H")  # CompactPositions' type byte of 16-bit deltas


def live_mask(reader) -> np.ndarray:
    """Boolean mask of a reader's documents that are not deleted."""
    mask = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            deleted = np.fromiter(leaf._perdoc.deleted_docs(), dtype=np.int64)
            mask[deleted + offset] = False
    return mask


class PackedValues:
    """A term's posting values (its encoded word positions, one per document) in one buffer.

    A decoded-postings cache entry held them as a list of bytes objects: 41 bytes of Python
    overhead each, ten times the positions themselves, so most of the cache was overhead and
    few frequent words fitted in it. Packed, an entry of a frequent word takes 2.4 times less."""

    __slots__ = ("buffer", "ends")

    def __init__(self, buffer: np.ndarray, ends: np.ndarray) -> None:
        self.buffer = buffer  # uint8: the values one after the other
        self.ends = ends  # int64: where each value ends in `buffer`

    @classmethod
    def of(cls, values: list[bytes]) -> PackedValues:
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        return cls(np.frombuffer(b"".join(values), dtype=np.uint8), np.cumsum(sizes))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> bytes:
        start = int(self.ends[index - 1]) if index else 0
        return self.buffer[start : int(self.ends[index])].tobytes()

    @property
    def nbytes(self) -> int:
        return self.buffer.nbytes + self.ends.nbytes

    def sizes(self) -> np.ndarray:
        return np.diff(self.ends, prepend=0)

    def take(self, indices: np.ndarray) -> PackedValues:
        """The values at `indices` (increasing), packed."""
        ends = self.ends[indices]
        sizes = ends - np.where(indices > 0, self.ends[np.maximum(indices - 1, 0)], 0)
        if not len(sizes):
            return PackedValues(self.buffer[:0], ends)
        kept_ends = np.cumsum(sizes)
        # A kept byte's place in `buffer` is its place among the kept ones, shifted by how far its
        # value moved (the same for all its bytes: ends - kept_ends).
        offsets = np.repeat(ends - kept_ends, sizes) + np.arange(int(kept_ends[-1]))
        return PackedValues(self.buffer[offsets], kept_ends)

    def freeze(self) -> None:
        self.buffer.setflags(write=False)
        self.ends.setflags(write=False)


class Postings:
    """Numpy views of one reader's postings; `live` marks the documents not deleted. With a
    `cache` (of this reader's index state), a term's postings are decoded once for all searches
    and come back read-only."""

    def __init__(self, reader, live: np.ndarray | None = None, cache: TermCache | None = None) -> None:
        self.reader = reader
        self.live = live_mask(reader) if live is None else live
        self.leaves = list(reader.leaf_readers())
        self.cache = cache
        self._lengths: dict[str, np.ndarray] = {}

    def ids(self, fieldname: str, text: str | bytes) -> np.ndarray:
        return self.postings(fieldname, text)[0]

    def postings(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term, live documents only, in document order."""
        ids, weights, _ = self._read(fieldname, text, want_values=False)
        return ids, weights

    def postings_with_values(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray, list]:
        """(document numbers, weights, values) of a term, live documents only: the values (word
        positions) come with the same blocks, so a search that needs them later reads them now."""
        return self._read(fieldname, text, want_values=True)

    def positions(self, fieldname: str, text: str | bytes, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs of a term in the documents of the boolean mask `wanted`."""
        ids, _, values = self._read(fieldname, text, want_values=True, wanted=wanted)
        return self.decode_positions(fieldname, ids, values)

    def decode_positions(
        self, fieldname: str, ids: np.ndarray, values: list | PackedValues
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs from the posting values of the documents `ids`."""
        if not len(ids):
            return _EMPTY_IDS, _EMPTY_IDS
        fmt = self.reader.schema[fieldname].format
        if isinstance(fmt, CompactPositions):
            if isinstance(values, PackedValues):
                sizes, raw = values.sizes(), values.buffer
            else:
                sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
                raw = np.frombuffer(b"".join(values), dtype=np.uint8)
            starts = np.cumsum(sizes) - sizes
            if (raw[starts] == _SHORT).all() and not ((sizes - 1) % 2).any():
                # Every document's deltas fit in 16 bits: decode them all in one go.
                body = np.ones(len(raw), dtype=bool)
                body[starts] = False
                deltas = raw[body].view(np.uint16).astype(np.int64)
                counts = (sizes - 1) // 2
                return np.repeat(ids, counts), _restarting_cumsum(deltas, counts)
        decoded = [fmt.decode_positions(v) for v in values]
        counts = np.fromiter((len(p) for p in decoded), dtype=np.int64, count=len(decoded))
        flat = np.fromiter(chain.from_iterable(decoded), dtype=np.int64, count=int(counts.sum()))
        return np.repeat(ids, counts), flat

    def positions_by_doc(
        self, fieldname: str, terms: list[str], docnums: list[int], read: PositionReader | None = None
    ) -> dict[int, list[list[int]]]:
        """Per document of `docnums`, the positions of each term in order ([] when absent);
        `read(term, wanted)` gives a term's (document, position) pairs (default: self.positions)."""
        wanted = np.zeros(len(self.live), dtype=bool)
        wanted[docnums] = True
        wanted &= self.live
        if read is None:
            read = partial(self.positions, fieldname)
        out: dict[int, list[list[int]]] = {d: [] for d in docnums}
        for term in terms:
            docs, positions = read(term, wanted)
            held: dict[int, list[int]] = {}
            if len(docs):
                cuts = np.flatnonzero(np.diff(docs)) + 1
                firsts = docs[np.concatenate(([0], cuts))].tolist()
                held = dict(zip(firsts, (p.tolist() for p in np.split(positions, cuts)), strict=True))
            for docnum in docnums:
                out[docnum].append(held.get(docnum, []))
        return out

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
        """(ids, weights, values) of a term's postings in the live documents, or in those of
        `wanted` (whose blocks alone are then decoded)."""
        schema = self.reader.schema
        if fieldname not in schema:
            return _EMPTY_IDS, _EMPTY_WEIGHTS, []
        btext = schema[fieldname].to_bytes(text)
        if self.cache is not None and wanted is None:
            return self.cache.get((fieldname, btext, want_values), partial(self._packed, fieldname, btext, want_values))
        return self._decode(fieldname, btext, want_values, wanted)

    def _packed(self, fieldname: str, btext: bytes, want_values: bool):
        """What _decode reads, its values packed (None when not read), to be kept in the cache."""
        ids, weights, values = self._decode(fieldname, btext, want_values)
        return ids, weights, PackedValues.of(values) if want_values else None

    def _decode(self, fieldname: str, btext: bytes, want_values: bool, wanted: np.ndarray | None = None):
        # Blocks without a wanted document are skipped undecoded: cumulative counts tell.
        seen = None if wanted is None else np.concatenate(([0], np.cumsum(wanted, dtype=np.int64)))
        ids_parts, weight_parts, values = [], [], []
        for leaf, offset in self.leaves:
            found = _leaf_postings(leaf, fieldname, btext, want_values, seen, offset)
            if found is None or not len(found[0]):
                continue
            block_ids, block_weights, block_values = found
            block_ids = block_ids + offset
            keep = self.live[block_ids] if wanted is None else wanted[block_ids]
            if not keep.all():
                block_ids, block_weights = block_ids[keep], block_weights[keep]
                if want_values:
                    block_values = list(map(block_values.__getitem__, np.flatnonzero(keep).tolist()))
            ids_parts.append(block_ids)
            weight_parts.append(block_weights)
            if want_values:
                values.extend(block_values)
        if not ids_parts:
            return _EMPTY_IDS, _EMPTY_WEIGHTS, values
        if len(ids_parts) == 1:
            return ids_parts[0], weight_parts[0], values
        return np.concatenate(ids_parts), np.concatenate(weight_parts), values


def _leaf_postings(leaf, fieldname: str, btext: bytes, want_values: bool, seen: np.ndarray | None, offset: int):
    """(segment-local ids, weights, values) of a term in one segment, deleted documents included;
    None when the segment lacks the term. With `seen` (cumulative counts of wanted documents over
    the whole reader), blocks holding no wanted document are left out.

    = iterating `leaf.postings(fieldname, btext)` block by block, without Whoosh's matcher: its
    per-block bookkeeping (seeks, small reads, a pickled header) cost more than the blocks' data.
    """
    terms = getattr(leaf, "_terms", None)
    if type(terms) is not W3TermsReader:
        return _matcher_postings(leaf, fieldname, btext, want_values)
    try:
        info = terms.term_info(fieldname, btext)
    except TermNotFound:
        return None
    if info.is_inlined():  # rare terms: the postings are in the term's entry
        ids, weights, values = info.inlined_postings()
        return (
            np.array(ids, dtype=np.int64),
            np.array(weights, dtype=np.float32),
            list(values) if want_values else None,
        )
    postfile = terms._postfile
    buf = getattr(postfile, "_buf", None)
    get = postfile.get if buf is None else (lambda pos, n: buf[pos : pos + n])
    start, _ = info.extent()
    if bytes(get(start, 4)) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"posting block tag error in {fieldname}:{btext!r}")
    pos = start + 4
    fixed = leaf.schema[fieldname].format.fixed_value_size() if want_values else None
    deltas, weights, counts, values = array("I"), array("f"), [], []
    previous = -1  # the last id of the block before
    while True:
        length = _INT.unpack(bytes(get(pos, 4)))[0]
        last = length < 0
        length = abs(length)
        head = io.BytesIO(get(pos + 4, min(length, _HEAD_BYTES)))
        count, maxid, _, compression, _, _ = pickle.load(head)
        if seen is None or seen[offset + maxid + 1] > seen[offset + previous + 1]:
            used = head.tell()
            data = get(pos + 4 + used, length - used)
            block_ids, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
            deltas.extend(block_ids if type(block_ids) is array else array("I", block_ids))
            if block_weights is None:
                weights.extend(_ones(count))
            elif isinstance(block_weights, float):
                weights.extend(array("f", [block_weights]) * count)
            else:
                weights.extend(block_weights if type(block_weights) is array else array("f", block_weights))
            counts.append(count)
            if want_values:
                values.extend(_block_values(block_values, count, fixed))
        previous = maxid
        if last:
            break
        pos += 4 + length
    if not counts:
        return _EMPTY_IDS, _EMPTY_WEIGHTS, values
    ids = _restarting_cumsum(np.frombuffer(deltas, dtype=np.uint32).astype(np.int64), np.array(counts))
    return ids, np.frombuffer(weights, dtype=np.float32), values


# A block's header (a pickled tuple of six numbers) is read from its first bytes.
_HEAD_BYTES = 96
_INT = struct.Struct("!i")
_ONES: dict[int, array] = {}


def _ones(count: int) -> array:
    found = _ONES.get(count)
    if found is None:
        found = _ONES[count] = array("f", [1.0]) * count
    return found


def _block_values(values, count: int, fixed: int | None):
    """A block's values as Whoosh's matcher gives them (W3LeafMatcher._read_values)."""
    if fixed is None or fixed < 0:
        return values
    if fixed == 0:
        return (None,) * count
    return tuple(values[i : i + fixed] for i in range(0, len(values), fixed))


def _matcher_postings(leaf, fieldname: str, btext: bytes, want_values: bool):
    """What _leaf_postings reads, through Whoosh's matcher (a segment of another codec)."""
    if (fieldname, btext) not in leaf:
        return None
    matcher = _unwrap(leaf.postings(fieldname, btext))
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if want_values:
            values.append(matcher.value())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32), values


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
