"""The single writer lock of an index, with a bounded wait.

`fcntl.flock` is released by the kernel when its owner dies, so a crashed
writer can never leave a lock that blocks the next one; the file only records
who holds it, for the « index occupé » message.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from types import TracebackType

LOCK_NAME = "write.lock"
DEFAULT_TIMEOUT = 60.0


class IndexBusy(RuntimeError):
    """Another writer kept the index past the bounded wait."""


class WriteLock:
    def __init__(self, index_root: Path, timeout: float = DEFAULT_TIMEOUT, purpose: str = "index") -> None:
        self.path = Path(index_root) / LOCK_NAME
        self.timeout = timeout
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = holder_of(self.path)
                    os.close(fd)
                    raise IndexBusy(
                        f"index occupé : un autre processus écrit ({holder}) ; réessayez dans un instant"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 1.5, 0.5)
        os.ftruncate(fd, 0)
        info = {"pid": os.getpid(), "purpose": self.purpose, "since": time.strftime("%Y-%m-%dT%H:%M:%S")}
        os.write(fd, json.dumps(info).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def holder_of(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "propriétaire inconnu"
    if not info:
        return "propriétaire inconnu"
    return f"pid {info.get('pid')}, {info.get('purpose')}, depuis {info.get('since')}"


def is_locked(index_root: Path) -> bool:
    """True while some live process holds the lock (a dead owner's lock is free)."""
    path = Path(index_root) / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
