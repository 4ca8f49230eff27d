"""What DOCX and ODT share: a zip of XML parts, read with bomb checks and a streaming,
DTD-refusing expat parser, and the title and creation date of their metadata part."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from xml.parsers import expat

from indexer.formats.base import Extraction, ExtractionError, clean, estimate_pages, short_title, tidy

__all__ = ["OfficeLayout", "TextCollector", "read_zipped"]

_BOMB_RATIO = 100
_BOMB_MIN_BYTES = 50 * 2**20
_MAX_ZIP_ENTRIES = 20_000
_METADATA_LIMIT = 2**20
_BOMB_REASON = "archive anormalement compressée (bombe zip ?)"

_DC_TITLE = "http://purl.org/dc/elements/1.1/}title"
_CREATED = ("http://purl.org/dc/terms/}created", "urn:oasis:names:tc:opendocument:xmlns:meta:1.0}creation-date")


class TextCollector(Protocol):
    """expat handlers (names as ``namespace}local``) that gather a part's text in ``parts``."""

    parts: list[str]

    def start(self, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def data(self, text: str) -> None: ...


@dataclass(frozen=True)
class OfficeLayout:
    """Where a zipped XML format keeps its text and its metadata."""

    fmt: str  # Extraction.format
    label: str  # the format in French messages: « document Word illisible ou corrompu »
    main: str  # the part with the body text (missing: the file is broken)
    extra: tuple[str, ...]  # further text parts, read when present (footnotes, endnotes)
    meta: str  # the part with the title and creation date
    collector: Callable[[], TextCollector]  # a fresh text collector for each part


class _UnsafeXML(Exception):
    """The XML declares a DTD or entities (never legitimate in DOCX/ODT)."""


class _FirstText:
    """expat handlers capturing the text of the first element named `target` (in
    ``value``) and of the first of each of the ``also`` elements (in ``others``)."""

    def __init__(self, target: str, also: tuple[str, ...] = ()) -> None:
        self.target = target
        self.also = also
        self.parts: list[str] | None = None
        self.value: str | None = None
        self.others: dict[str, str] = {}
        self._current: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.parts is None and (
            (name == self.target and self.value is None) or (name in self.also and name not in self.others)
        ):
            self.parts = []
            self._current = name

    def end(self, name: str) -> None:
        if name == self._current and self.parts is not None:
            if name == self.target:
                self.value = "".join(self.parts)
            else:
                self.others[name] = "".join(self.parts)
            self.parts = None
            self._current = None

    def data(self, text: str) -> None:
        if self.parts is not None:
            self.parts.append(text)


def read_zipped(path: Path, max_bytes: int, layout: OfficeLayout) -> Extraction:
    """The text of a DOCX or ODT file: bomb checks, then streaming expat parsing."""
    broken = f"{layout.label} illisible ou corrompu"
    limit = 4 * max_bytes  # uncompressed bytes parsed per XML part
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip_bomb(archive, limit)
            names = set(archive.namelist())
            if layout.main not in names:
                raise ExtractionError(f"{broken} ({layout.main} absent)")
            texts = []
            for name in (layout.main, *layout.extra):
                if name in names:
                    handlers = layout.collector()
                    _parse_member(archive, name, handlers, limit)
                    texts.append(tidy("".join(handlers.parts)))
            title = created = None
            if layout.meta in names:
                finder = _FirstText(_DC_TITLE, _CREATED)
                _parse_member(archive, layout.meta, finder, _METADATA_LIMIT)
                title = short_title(finder.value)
                created = short_title(finder.others.get(_CREATED[0]) or finder.others.get(_CREATED[1]))
    except ExtractionError:
        raise
    except _UnsafeXML:
        raise ExtractionError(f"{layout.label} suspect (DTD ou entités XML interdites)") from None
    except expat.ExpatError:
        raise ExtractionError(f"{broken} (XML invalide)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, RuntimeError):
        raise ExtractionError(f"{broken} (archive zip invalide)") from None
    text = clean("\n\n".join(part for part in texts if part))
    return Extraction(text, estimate_pages(text), layout.fmt, title, created, None, [])


def _check_zip_bomb(archive: zipfile.ZipFile, limit: int) -> None:
    infos = archive.infolist()
    if len(infos) > _MAX_ZIP_ENTRIES:
        raise ExtractionError(_BOMB_REASON)
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > limit or (unpacked > _BOMB_MIN_BYTES and unpacked / packed > _BOMB_RATIO):
        raise ExtractionError(_BOMB_REASON)


def _parse_member(
    archive: zipfile.ZipFile,
    name: str,
    handlers: TextCollector | _FirstText,
    limit: int,
) -> None:
    """Stream one zip member through expat, refusing DTDs and oversized data."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.data
    parser.buffer_text = True
    seen = 0
    with archive.open(name) as member:
        while chunk := member.read(1 << 20):
            seen += len(chunk)
            if seen > limit:
                raise ExtractionError(_BOMB_REASON)
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _refuse_dtd(*_args: object) -> None:
    raise _UnsafeXML()
