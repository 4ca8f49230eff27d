"""The formats the archive reads, one module each, behind one table.

``FORMATS`` maps each format to the file suffixes it is known by and to its extractor,
``extract(path, max_bytes) -> Extraction`` (raising ``ExtractionError`` with a short French
reason). Adding a format is one module and one row here: the corpus scan, the upload
form and the tests read the suffixes from this table. Modules:

- ``base``: Extraction, ExtractionError and the text helpers every format uses;
- ``encoding``: decoding text whose encoding nobody declared;
- ``sniff``: recognising a format from its first bytes;
- ``pdf`` (with OCR), ``text``, ``markdown``, ``html``, ``docx``, ``odt``; ``office``: what
  DOCX and ODT share (zip and XML reading).

``indexer.extract.extract`` is the entry point: it checks the file, picks the format and
calls its extractor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer.formats import docx, html, markdown, odt, pdf, text
from indexer.formats.base import Extraction

__all__ = ["FORMATS", "SUPPORTED_SUFFIXES", "Format", "by_name", "by_suffix"]


@dataclass(frozen=True)
class Format:
    """One format: its name (``Extraction.format``), its file suffixes and its extractor."""

    name: str
    suffixes: tuple[str, ...]
    extract: Callable[[Path, int], Extraction]


FORMATS: tuple[Format, ...] = (
    Format("pdf", (".pdf",), pdf.extract),
    Format("txt", (".txt",), text.extract),
    Format("md", (".md",), markdown.extract),
    Format("html", (".html", ".htm"), html.extract),
    Format("docx", (".docx",), docx.extract),
    Format("odt", (".odt",), odt.extract),
)
_BY_NAME = {fmt.name: fmt for fmt in FORMATS}
_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_BY_SUFFIX)


def by_name(name: str) -> Format:
    """The format named ``name`` ("pdf", "docx"…, as ``sniff`` answers)."""
    return _BY_NAME[name]


def by_suffix(suffix: str) -> Format | None:
    """The format of a lower-case suffix with its dot (".htm"), None when unsupported."""
    return _BY_SUFFIX.get(suffix)
