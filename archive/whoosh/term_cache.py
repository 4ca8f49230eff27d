"""Decoded posting lists kept between searches of one index state, bounded in bytes.

Every search decoded the blocks of its words again (zlib, then pickle): a frequent word such
as « industrie » (31 000 documents at 100 000) cost milliseconds on every request. One cache
belongs to one index state (the engine makes a new one when the index changes, so nothing
stale can be read) and is shared by the searchers of that state; the least recently used
entries go first once the bound is passed. The arrays of an entry are flagged read-only: the
searches that share them cannot change them, nor its packed values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

# (document numbers, weights, values: postings.PackedValues, or None when not read)
Entry = tuple[np.ndarray, np.ndarray, object]


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
    """Memory held by an entry."""
    ids, weights, values = entry
    return ids.nbytes + weights.nbytes + (values.nbytes if values is not None else 0)


def _frozen(entry: Entry) -> Entry:
    for array in entry[:2]:
        array.setflags(write=False)
    if entry[2] is not None:
        entry[2].freeze()
    return entry
