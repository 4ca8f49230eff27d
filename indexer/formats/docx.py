"""Word documents (.docx): WordprocessingML text of the body, footnotes and endnotes."""

from __future__ import annotations

from pathlib import Path

from indexer.formats.base import Extraction
from indexer.formats.office import OfficeLayout, read_zipped

__all__ = ["extract"]

_W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def extract(path: Path, max_bytes: int) -> Extraction:
    """Body, footnotes and endnotes; title and creation date from docProps/core.xml."""
    return read_zipped(path, max_bytes, _LAYOUT)


class _DocxText:
    """expat handlers collecting WordprocessingML text (w:t, w:tab, w:br, w:p)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._in_text = 0
        self._fallback = 0
        self._tab_stops = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition("}")
        if ns == _MC_NS and local == "Fallback":
            self._fallback += 1  # duplicate of mc:Choice content
        elif ns in _W_NS and not self._fallback:
            if local == "t":
                self._in_text += 1
            elif local == "tabs":
                self._tab_stops += 1
            elif local == "tab" and not self._tab_stops:
                self.parts.append("\t")
            elif local in ("br", "cr"):
                self.parts.append("\n")
            elif local == "noBreakHyphen":
                self.parts.append("-")

    def end(self, name: str) -> None:
        ns, _, local = name.rpartition("}")
        if ns == _MC_NS and local == "Fallback":
            self._fallback -= 1
        elif ns in _W_NS and not self._fallback:
            if local == "t":
                self._in_text -= 1
            elif local == "tabs":
                self._tab_stops -= 1
            elif local == "p":
                self.parts.append("\n")

    def data(self, text: str) -> None:
        if self._in_text and not self._fallback:
            self.parts.append(text)


_LAYOUT = OfficeLayout(
    fmt="docx",
    label="document Word",
    main="word/document.xml",
    extra=("word/footnotes.xml", "word/endnotes.xml"),
    meta="docProps/core.xml",
    collector=_DocxText,
)
