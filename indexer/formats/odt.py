"""OpenDocument text (.odt): paragraphs and headings of content.xml, without annotations."""

from __future__ import annotations

from pathlib import Path

from indexer.formats.base import Extraction, squash
from indexer.formats.office import OfficeLayout, read_zipped

__all__ = ["extract"]

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def extract(path: Path, max_bytes: int) -> Extraction:
    """The text of content.xml; title and creation date from meta.xml."""
    return read_zipped(path, max_bytes, _LAYOUT)


class _OdtText:
    """expat handlers collecting OpenDocument text (text:p/h, s, tab, line-break)."""

    SKIP = {
        (_OFFICE_NS, "annotation"),
        (_TEXT_NS, "tracked-changes"),
        (_TEXT_NS, "note-citation"),
    }

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._paragraphs = 0
        self._skip = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition("}")
        if (ns, local) in self.SKIP:
            self._skip += 1
        if ns != _TEXT_NS or self._skip:
            return
        if local in ("p", "h"):
            self._paragraphs += 1
        elif local == "s":
            count = attrs.get(f"{_TEXT_NS}}}c", "1")
            self.parts.append(" " * min(int(count) if count.isdigit() else 1, 1000))
        elif local == "tab":
            self.parts.append("\t")
        elif local == "line-break":
            self.parts.append("\n")

    def end(self, name: str) -> None:
        ns, _, local = name.rpartition("}")
        if (ns, local) in self.SKIP:
            self._skip -= 1
        elif ns == _TEXT_NS and local in ("p", "h") and not self._skip:
            self._paragraphs -= 1
            self.parts.append("\n")

    def data(self, text: str) -> None:
        if self._paragraphs and not self._skip:
            self.parts.append(squash(text))  # ODF collapses whitespace in text


_LAYOUT = OfficeLayout(
    fmt="odt",
    label="document OpenDocument",
    main="content.xml",
    extra=(),
    meta="meta.xml",
    collector=_OdtText,
)
