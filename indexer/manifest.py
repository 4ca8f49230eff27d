"""The indexer's manifest, typed: which file holds which document, and which files failed.

It is stored as `state.json` inside each index generation (archive/store.py reads and writes
the JSON); this module turns it into `FileEntry` and `Failure` values and back, key for key,
so a manifest written by an earlier version reads the same.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from archive import store


class FileStat(Protocol):
    """What tells whether a file changed: a scanned CorpusFile, or a manifest entry."""

    @property
    def size(self) -> int: ...

    @property
    def mtime_ns(self) -> int: ...

    @property
    def sidecar_mtime_ns(self) -> int: ...


@dataclass(frozen=True)
class FileEntry:
    """One indexed file: the document (content id) it holds and the stat it had."""

    id: str
    sha256: str
    size: int
    mtime_ns: int
    sidecar_mtime_ns: int = 0

    def same_stat(self, f: FileStat) -> bool:
        return (self.size, self.mtime_ns, self.sidecar_mtime_ns) == (f.size, f.mtime_ns, f.sidecar_mtime_ns)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileEntry:
        return cls(data["id"], data["sha256"], data["size"], data["mtime_ns"], data.get("sidecar_mtime_ns", 0))


@dataclass(frozen=True)
class Failure:
    """A file that could not be indexed, why, and its stat then (unknown for a refused file)."""

    reason: str
    when: str = ""
    tries: int = 1
    size: int | None = None
    mtime_ns: int | None = None
    sidecar_mtime_ns: int | None = None

    @classmethod
    def after(cls, previous: Failure | None, reason: str, stat: FileStat | None) -> Failure:
        """A new failure of the file, counting the tries before it."""
        tries = (previous.tries if previous else 0) + 1
        when = time.strftime("%Y-%m-%dT%H:%M:%S")
        if stat is None:
            return cls(reason, when, tries)
        return cls(reason, when, tries, stat.size, stat.mtime_ns, stat.sidecar_mtime_ns)

    def same_stat(self, f: FileStat) -> bool:
        sidecar = 0 if self.sidecar_mtime_ns is None else self.sidecar_mtime_ns
        return self.size == f.size and self.mtime_ns == f.mtime_ns and sidecar == f.sidecar_mtime_ns

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Failure:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**{"reason": "", "tries": 0, **known})


@dataclass
class Manifest:
    files: dict[str, FileEntry] = field(default_factory=dict)  # rel → entry
    failed: dict[str, Failure] = field(default_factory=dict)  # rel → failure
    damaged: bool = False  # the stored file was torn: everything is re-read
    # archive.gazetteer.vocab_fingerprint() when every document was last analysed (a new index):
    # later runs analyse only what changed, so it says which vocabulary the index as a whole
    # reflects. None: an index written before it was recorded.
    vocab: str | None = None

    @classmethod
    def read(cls, generation: Path | None) -> Manifest:
        state = store.read_state(generation)
        return cls(
            {rel: FileEntry.from_json(e) for rel, e in state.get("files", {}).items()},
            {rel: Failure.from_json(f) for rel, f in state.get("failed", {}).items()},
            bool(state.get("damaged")),
            state.get("vocab") if isinstance(state.get("vocab"), str) else None,
        )

    def write(self, generation: Path) -> None:
        store.write_state(
            generation,
            {
                "files": {rel: asdict(e) for rel, e in self.files.items()},
                "failed": {rel: f.to_json() for rel, f in self.failed.items()},
                **({"vocab": self.vocab} if self.vocab else {}),
            },
        )

    def copy(self) -> Manifest:
        return Manifest(dict(self.files), dict(self.failed), self.damaged, self.vocab)
