"""Local fixes to whoosh-reloaded 2.7.5 (unmaintained), applied on import by the Whoosh engine.

BufferFile copies memory-mapped segments: a compound segment is opened with
mmap, but each sub-file (terms, postings, columns) is wrapped as
`BytesIO(memoryview)`, and BytesIO copies its initial buffer. Every opened
index file thus ends up in anonymous memory (measured: 460 MB of a 30 000
document searcher's 830 MB). Reading through a non-copying view keeps those
pages file-backed (shared page cache, reclaimable) and yields the same bytes.

Posting blocks are pickled with protocol 2 as tuples of Python ints and floats,
and variable-length values (positions) as bytes, which protocol 2 rebuilds with
one `_codecs.encode` call each. Reading a common word's postings at 100 000
documents spent two thirds of its time in that unpickling. Blocks are now
written with the highest protocol, document deltas and weights as typed arrays
(Whoosh reads both back unchanged: it only indexes and iterates them).

Every patch of Whoosh internals lives here, and the module refuses another
whoosh-reloaded version than the one they were checked against. They stay
patches rather than subclasses: Whoosh builds its BufferFiles inside its own
storage classes (no hook to pass a subclass), and a codec subclass would be
pickled by name into every segment's table of contents, tying the on-disk
format to a class of ours.
"""

from __future__ import annotations

import importlib.metadata
import io
import pickle
from array import array

from whoosh.codec import whoosh3
from whoosh.filedb import structfile
from whoosh.util.numlists import delta_encode

# The whoosh-reloaded release these patches were written for and checked against.
WRITTEN_FOR = "2.7.5"


class WhooshVersionError(RuntimeError):
    """The installed Whoosh is not the one the local fixes were written for."""


def check_version(installed: str | None = None) -> None:
    """Raise WhooshVersionError unless `installed` (default: the installed whoosh-reloaded) is
    WRITTEN_FOR: the patches below replace Whoosh internals that another release may have changed."""
    if installed is None:
        installed = importlib.metadata.version("whoosh-reloaded")
    if installed != WRITTEN_FOR:
        raise WhooshVersionError(
            f"archive/whoosh/fixes.py was written for whoosh-reloaded {WRITTEN_FOR}, but {installed} is "
            f"installed: install whoosh-reloaded=={WRITTEN_FOR}, or check each patch against {installed} "
            "and then update WRITTEN_FOR."
        )


_original_init = structfile.BufferFile.__init__


class MemoryViewReader(io.RawIOBase):
    """Read-only, seekable file over a memoryview, without copying the view."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else min(len(self._view), self._pos + size)
        end = self._pos
        while end < limit:
            chunk = bytes(self._view[end : min(limit, end + 256)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def getvalue(self) -> bytes:
        return bytes(self._view)


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    _original_init(self, b"", name=name, onclose=onclose)
    self._buf = buf
    self.file = MemoryViewReader(buf) if isinstance(buf, memoryview) else io.BytesIO(buf)


def _dumps(obj, protocol=None) -> bytes:
    return pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)


def _mini_ids(self):
    if self._byteids:
        return tuple(self._ids)
    return array("I", delta_encode(self._ids))


def _mini_weights(self):
    weights = self._weights
    if all(w == 1.0 for w in weights):
        return None
    if all(w == weights[0] for w in weights):
        return weights[0]
    return array("f", weights)


def apply() -> None:
    check_version()
    if structfile.BufferFile.__init__ is not _buffer_file_init:
        structfile.BufferFile.__init__ = _buffer_file_init
    whoosh3.dumps = _dumps
    whoosh3.W3PostingsWriter._mini_ids = _mini_ids
    whoosh3.W3PostingsWriter._mini_weights = _mini_weights


apply()
