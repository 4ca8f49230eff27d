"""Recognise a file's format from its first bytes: the content decides, not the name
(a PDF named .txt is read as PDF; an image named .pdf is refused as an image)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from indexer.formats.base import HEAD_SIZE

__all__ = ["image_kind", "read_head", "sniff"]


def read_head(path: Path) -> bytes:
    """The first bytes of the file, enough to recognise its format."""
    with open(path, "rb") as fp:
        return fp.read(HEAD_SIZE)


def sniff(path: Path, head: bytes) -> str | None:
    """Format from the file's first bytes ("pdf", "docx", "odt", "html", "image") or None."""
    stripped = head.lstrip(b"\x00\t\n\r\f \xef\xbb\xbf")
    if stripped.startswith(b"%PDF-"):
        return "pdf"
    if path.suffix.lower() == ".pdf" and b"%PDF-" in head[:1024]:
        return "pdf"  # readers accept junk before the header
    if image_kind(head):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if _looks_like_html(head):
        return "html"
    return None


def image_kind(head: bytes) -> str | None:
    """The kind of image (« JPEG », « PNG »…) the bytes start, if any."""
    signatures = (
        (b"\xff\xd8\xff", "JPEG"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"GIF87a", "GIF"),
        (b"GIF89a", "GIF"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
        (b"BM", "BMP"),
    )
    for magic, kind in signatures:
        if head.startswith(magic) and (kind != "BMP" or len(head) > 26):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    return None


def _sniff_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").strip()
                if mimetype in (
                    b"application/vnd.oasis.opendocument.text",
                    b"application/vnd.oasis.opendocument.text-template",
                ):
                    return "odt"
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError):
        return None
    return None


def _looks_like_html(head: bytes) -> bool:
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            sample = head[2:1026].decode(codec, "ignore")
            break
    else:
        sample = head[:1024].decode("latin-1")
    sample = sample.lstrip("\ufeff\x00\t\n\r\f \xef\xbb\xbf").lower()
    if sample.startswith("<?xml"):
        return "<html" in sample
    return sample.startswith(("<!doctype html", "<html"))
