"""Extract visible text and metadata from one corpus file.

The entry point of ``indexer.formats``: checks the file (regular, not empty, not too large),
picks its format (the real content decides: a PDF named .txt is read as PDF; the
extension is only a fallback) and calls that format's extractor. Every failure is
reported as an ExtractionError whose reason is one short French line for researchers.
The source file is only ever opened read-only.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from indexer import formats
from indexer.formats import SUPPORTED_SUFFIXES
from indexer.formats.base import DEFAULT_MAX_BYTES, Extraction, ExtractionError
from indexer.formats.pdf import ocr_available
from indexer.formats.sniff import image_kind, read_head, sniff

__all__ = [
    "SUPPORTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "Extraction",
    "ExtractionError",
    "extract",
    "ocr_available",
    "sniff_format",
]


def extract(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Extraction:
    """Extract text and metadata from `path`; raise ExtractionError on failure."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ExtractionError("pas un fichier ordinaire")
        if info.st_size == 0:
            raise ExtractionError("fichier vide")
        if info.st_size > max_bytes:
            raise ExtractionError(
                f"fichier trop volumineux ({_mebibytes(info.st_size)} Mo > {_mebibytes(max_bytes)} Mo)"
            )
        result = _choose_format(path, read_head(path)).extract(path, max_bytes)
        if not result.text.strip():  # a line break, spaces: nothing to search, nothing to read
            raise ExtractionError("aucun texte dans le fichier")
        result.mtime = info.st_mtime
        if result.pdf_date and result.meta_source is None:
            result.meta_source = result.format
        return result
    except OSError as exc:
        raise ExtractionError(_os_error_reason(exc)) from None


def sniff_format(path: Path) -> str | None:
    """Format from the file's magic bytes ("pdf", "docx", "odt", "html", "image") or None."""
    return sniff(Path(path), read_head(Path(path)))


def _choose_format(path: Path, head: bytes) -> formats.Format:
    suffix = path.suffix.lower()
    sniffed = sniff(path, head)
    if sniffed == "image":
        raise ExtractionError(f"image {image_kind(head)}, pas un document texte")
    if sniffed:
        return formats.by_name(sniffed)
    fmt = formats.by_suffix(suffix)
    if fmt is None:
        raise ExtractionError(f"format non pris en charge ({suffix or 'sans extension'})")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and fmt.name != "pdf":
        raise ExtractionError("document Office chiffré ou au format Word 97-2003 (.doc), non pris en charge")
    return fmt


def _os_error_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "fichier introuvable"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "fichier illisible (accès refusé)"
    if exc.errno == errno.EISDIR:
        return "pas un fichier ordinaire"
    return f"fichier illisible (erreur système {exc.errno})"


def _mebibytes(size: int) -> str:
    value = size / 2**20
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
    return text.replace(".", ",")
