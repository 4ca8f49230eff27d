"""Decoded posting lists kept between searches of one index state, bounded in bytes.

Every search decoded the blocks of its words again (zlib, then pickle): a frequent word such
as « industrie » (31 000 documents at 100 000) cost milliseconds on every request. One cache
belongs to one index state (the engine makes a new one when the index changes, so nothing
stale can be read) and is shared by the searchers of that state; the least recently used
entries go first once the bound is passed. The arrays of an entry are flagged read-only: the
searches that share them cannot change them (nor its list of values, which no reader changes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

# (document numbers, weights, values: postings.PackedValues, or None when not read)
Entry = tuple[np.ndarray, np.ndarray, object]
# Python's overhead of one bytes object plus its slot in a list, the values' share of an entry.
_VALUE_OVERHEAD = 33 + 8
# Values whose sizes are added up to estimate them all (a frequent word has 75 000 of them).
_SAMPLE = 256


class TermCache:
    """LRU of decoded postings keyed by (field, term bytes, with values), at most `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[str, bytes, bool], tuple[Entry, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bytes, bool], read: Callable[[], Entry]) -> Entry:
        """The entry of `key`, read with `read()` on a miss (outside the lock: two searches may
        read the same term at once; both get the same postings)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        entry = _frozen(read())
        size = entry_bytes(entry)
        if size > self.max_bytes // 4:  # one word may not push out most of the others
            return entry
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (entry, size)
                self.bytes += size
                while self.bytes > self.max_bytes:
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self.bytes -= dropped
        return entry

    def __len__(self) -> int:
        return len(self._entries)


def entry_bytes(entry: Entry) -> int:
    """Memory held by an entry; its values' sizes estimated from a sample spread over them."""
    ids, weights, values = entry
    size = ids.nbytes + weights.nbytes
    if hasattr(values, "nbytes"):  # packed (archive.whoosh.postings.PackedValues)
        size += values.nbytes
    elif values:
        step = max(1, len(values) // _SAMPLE)
        sample = values[::step]
        size += round(sum(map(len, sample)) / len(sample) * len(values)) + _VALUE_OVERHEAD * len(values)
    return size


def _frozen(entry: Entry) -> Entry:
    for array in entry[:2]:
        array.setflags(write=False)
    if hasattr(entry[2], "freeze"):
        entry[2].freeze()
    return entry
