"""Vocabularies kept as data in ``archive/vocab/`` (or a lab's copy, ``ARCHIVE_VOCAB_DIR``).

A reader names its file and a function that turns the parsed YAML into what it needs
(compiled patterns, folded sets); that is done once, and again only when the file
changes. A file missing from a lab's folder is read from the bundled one, so that a copy
made before a vocabulary joined ``archive/vocab/`` keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from archive.gazetteer.files import _safe_load, vocab_file

__all__ = ["load", "path_of", "word_list"]

T = TypeVar("T")


path_of = vocab_file  # the lab's file when it has it, else the bundled one


def load(name: str, build: Callable[[Any], T]) -> T:
    """``build(parsed YAML of name)``, cached until the file changes."""
    path = path_of(name)
    return _built(str(path), path.stat().st_mtime_ns, build)


@lru_cache(maxsize=16)
def _built(path: str, stamp: int, build: Callable[[Any], T]) -> T:
    with open(path, encoding="utf-8") as handle:
        return build(_safe_load(handle))


def word_list(data: Any, key: str, name: str) -> list[str]:
    """The list ``key`` of a vocabulary file's top-level mapping; a clear error when missing."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        raise ValueError(f"{name}: the list {key!r} is missing")
    return [str(word) for word in value]
