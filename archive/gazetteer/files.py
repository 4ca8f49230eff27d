"""Where the gazetteers' YAML files are, how they are read, and the lock that guards writing them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from archive import config

VOCAB_DIR = Path(__file__).resolve().parent.parent / "vocab"


def vocab_dir() -> Path:
    """The gazetteer folder: ARCHIVE_VOCAB_DIR when set (a lab's own copy), else the bundled one."""
    return config.vocab_dir() or VOCAB_DIR


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10× faster


def _safe_load(stream: Any) -> Any:
    return yaml.load(stream, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def vocab_file(name: str) -> Path:
    """The file `name` of the lab's folder (ARCHIVE_VOCAB_DIR) when it has it, else the bundled one:
    a lab's copy made before a vocabulary joined archive/vocab/ (offices, schemes, document types)
    keeps working. Files the app writes (actors.yaml, the decisions) are read from vocab_dir()."""
    lab = config.vocab_dir()
    if lab is not None and (lab / name).is_file():
        return lab / name
    return VOCAB_DIR / name


def _load_yaml(name: str) -> Any:
    with vocab_file(name).open(encoding="utf-8") as handle:
        return _safe_load(handle)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock between processes (the app and an indexer)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
