"""Where the corpus and the index live: flags, then environment, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = ".archive/index"


def corpus_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    return Path(explicit or os.environ.get("ARCHIVE_CORPUS") or DEFAULT_CORPUS)


def index_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    return Path(explicit or os.environ.get("ARCHIVE_INDEX") or DEFAULT_INDEX)
