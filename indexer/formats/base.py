"""What every format's extractor returns or raises, and the text helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HEAD_SIZE",
    "Extraction",
    "ExtractionError",
    "clean",
    "estimate_pages",
    "read_at_most",
    "short_title",
    "squash",
    "tidy",
]

DEFAULT_MAX_BYTES = 100 * 2**20
HEAD_SIZE = 8192  # bytes read to recognise a format (and to tell text from binary)
_WORDS_PER_PAGE = 500
_TITLE_MAX = 300


class ExtractionError(Exception):
    """Extraction failed; `reason` is one short French line shown to researchers."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Extraction:
    """Text and metadata extracted from one file."""

    text: str
    pages: int
    format: str
    title_hint: str | None = None
    pdf_date: str | None = None  # the file's own creation date (PDF Info, DOCX/ODT core, HTML <meta>)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    # Where pdf_date came from ("pdf", "docx", "odt", "html") and the file's modification
    # time (seconds since the epoch): a metadata date near it is a conversion date.
    meta_source: str | None = None
    mtime: float | None = None


def read_at_most(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, at most one more than `max_bytes` (the caller checked the size)."""
    with open(path, "rb") as fp:
        return fp.read(max_bytes + 1)


_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}


def clean(text: str) -> str:
    """Drop NUL bytes, normalise newlines to \\n, spell out typographic ligatures (PDF
    printers write « ﬁlière »: words must read « filière » for search, dates and names)."""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def tidy(text: str) -> str:
    """Collapse runs of blank lines and strip the ends."""
    return _BLANK_LINES.sub("\n\n", text).strip()


_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def squash(data: str) -> str:
    """Every run of white space as one space (how HTML and ODF render text)."""
    return _SPACES.sub(" ", data)


def estimate_pages(text: str) -> int:
    """max(1, words // 500), counted in chunks to keep memory flat."""
    words = 0
    chunk = 1 << 20
    for start in range(0, len(text), chunk):
        words += len(text[start : start + chunk].split())
    return max(1, words // _WORDS_PER_PAGE)


def short_title(value: str | None) -> str | None:
    """A title on one line, at most 300 characters; None when empty."""
    if value is None:
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value[:_TITLE_MAX] or None
