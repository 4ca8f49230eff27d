"""Plain text files (.txt) in any of the encodings French offices write."""

from __future__ import annotations

from pathlib import Path

from indexer.formats.base import Extraction, clean, estimate_pages, read_at_most, tidy
from indexer.formats.encoding import decode_bytes

__all__ = ["extract", "read_text"]


def read_text(path: Path, max_bytes: int) -> tuple[str, str]:
    """(text with clean newlines, encoding name) of a text file."""
    text, encoding = decode_bytes(read_at_most(path, max_bytes))
    return clean(text), encoding


def extract(path: Path, max_bytes: int) -> Extraction:
    """The file's text as written."""
    text, encoding = read_text(path, max_bytes)
    text = tidy(text)
    return Extraction(text, estimate_pages(text), "txt", None, None, encoding, [])
