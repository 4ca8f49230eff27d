"""Extract visible text and metadata from one corpus file.

Formats: PDF (pdfminer.six, optional tesseract OCR), plain text, Markdown,
HTML, DOCX and ODT. The real content decides the parser (a PDF named .txt is
read as PDF); the extension is only a fallback. Every failure is reported as
an ExtractionError whose reason is one short French line for researchers.
The source file is only ever opened read-only.
"""

from __future__ import annotations

import codecs
import errno
import functools
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.parsers import expat

from pdfminer.converter import TextConverter
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psexceptions import PSEOF
from pdfminer.utils import decode_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "Extraction",
    "ExtractionError",
    "die_with_parent",
    "extract",
    "ocr_available",
    "sniff_format",
]

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md", ".html", ".htm", ".docx", ".odt")
DEFAULT_MAX_BYTES = 100 * 2**20

_SUFFIX_FORMATS = {
    ".pdf": "pdf",
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".odt": "odt",
}
_HEAD_SIZE = 8192
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


# --------------------------------------------------------------------------
# Entry point and format detection
# --------------------------------------------------------------------------


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
        head = _read_head(path)
        fmt = _choose_format(path, head)
        result = _HANDLERS[fmt](path, fmt, max_bytes)
        result.mtime = info.st_mtime
        if result.pdf_date and result.meta_source is None:
            result.meta_source = result.format
        return result
    except OSError as exc:
        raise ExtractionError(_os_error_reason(exc)) from None


def sniff_format(path: Path) -> str | None:
    """Format from the file's magic bytes ("pdf", "docx", "odt", "html", "image") or None."""
    return _sniff(Path(path), _read_head(Path(path)))


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as fp:
        return fp.read(_HEAD_SIZE)


def _sniff(path: Path, head: bytes) -> str | None:
    stripped = head.lstrip(b"\x00\t\n\r\f \xef\xbb\xbf")
    if stripped.startswith(b"%PDF-"):
        return "pdf"
    if path.suffix.lower() == ".pdf" and b"%PDF-" in head[:1024]:
        return "pdf"  # readers accept junk before the header
    if _image_kind(head):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    if _looks_like_html(head):
        return "html"
    return None


def _image_kind(head: bytes) -> str | None:
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


def _choose_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    sniffed = _sniff(path, head)
    if sniffed == "image":
        raise ExtractionError(f"image {_image_kind(head)}, pas un document texte")
    if sniffed:
        return sniffed
    fmt = _SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        raise ExtractionError(f"format non pris en charge ({suffix or 'sans extension'})")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and fmt != "pdf":
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


# --------------------------------------------------------------------------
# Shared text helpers
# --------------------------------------------------------------------------


_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}


def _clean(text: str) -> str:
    """Drop NUL bytes, normalise newlines to \\n, spell out typographic ligatures (PDF
    printers write « ﬁlière »: words must read « filière » for search, dates and names)."""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _tidy(text: str) -> str:
    """Collapse runs of blank lines and strip the ends."""
    return _BLANK_LINES.sub("\n\n", text).strip()


def _estimate_pages(text: str) -> int:
    """max(1, words // 500), counted in chunks to keep memory flat."""
    words = 0
    chunk = 1 << 20
    for start in range(0, len(text), chunk):
        words += len(text[start : start + chunk].split())
    return max(1, words // _WORDS_PER_PAGE)


def _short_title(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value[:_TITLE_MAX] or None


# --------------------------------------------------------------------------
# Encoding detection (text files, HTML fallback)
# --------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SUSPICIOUS_CHARS = re.compile(
    "[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f\u0192\u02c6\u2030\u0160\u2039\u017d\u0161\u017e\u0178\u02dc\u203a\u2020\u2021\u00ac\u221a\u2248\u2206\u25ca\u0131]"
)
_FRENCH_CHARS = "éèêëàâçôîïùûœÉÀÇ«»’€…–—°"
_SAMPLE = 1 << 20


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes; return (text, encoding name). Raise if it looks binary."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :] if codec != "utf-8-sig" else data
            return body.decode(codec, "replace"), codec
    utf16 = _guess_utf16(data[:4096])
    if utf16:
        return data[: len(data) // 2 * 2].decode(utf16, "replace"), utf16
    if len(_CONTROL_BYTES.findall(data[:_HEAD_SIZE])) > len(data[:_HEAD_SIZE]) // 10:
        raise ExtractionError("fichier binaire, pas un document texte")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", "replace")
    invalid = lenient.count("\ufffd")
    if len(data) - len(lenient) >= 4 * invalid:  # mostly valid multibyte sequences
        return lenient, "utf-8"
    del lenient
    return _decode_legacy(data)


def _guess_utf16(sample: bytes) -> str | None:
    """UTF-16 without BOM: NUL bytes concentrated on odd (LE) or even (BE) offsets."""
    half = len(sample) // 2
    if half < 2:
        return None
    even_nuls = sample[0::2].count(0) / half
    odd_nuls = sample[1::2].count(0) / half
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """cp1252 when it decodes and looks like French, else Mac Roman or latin-1."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    sample = data[:_SAMPLE]
    mac_score = _french_score(sample.decode("mac_roman"))
    if text is not None and _french_score(text[:_SAMPLE]) >= mac_score:
        return text, "cp1252"
    if mac_score > max(0, _french_score(sample.decode("latin-1"))):
        return data.decode("mac_roman"), "mac_roman"
    return data.decode("latin-1"), "latin-1"


def _french_score(sample: str) -> int:
    good = sum(sample.count(char) for char in _FRENCH_CHARS)
    return good - 3 * len(_SUSPICIOUS_CHARS.findall(sample))


# --------------------------------------------------------------------------
# Plain text and Markdown
# --------------------------------------------------------------------------


def _extract_text_file(path: Path, fmt: str, max_bytes: int) -> Extraction:
    with open(path, "rb") as fp:
        data = fp.read(max_bytes + 1)
    text, encoding = decode_bytes(data)
    del data
    text = _clean(text)
    title = None
    if fmt == "md":
        title = _markdown_title(text)
        text = strip_markdown(text)
    text = _tidy(text)
    return Extraction(text, _estimate_pages(text), fmt, title, None, encoding, [])


_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^[ \t]{0,3}(?:```|~~~)[^\n]*\n?", re.M), ""),  # fence lines only
    (re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,1000}\)"), ""),  # images
    (re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,1000}\)"), r"\1"),  # inline links
    (re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,300}\]"), r"\1"),  # reference links
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]{1,300}\]:[ \t]*\S[^\n]*\n?", re.M), ""),  # link defs
    (re.compile(r"<((?:https?|mailto):[^>\s]{1,1000})>"), r"\1"),  # autolinks
    (re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)([^\n]*?)(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),
    (re.compile(r"^[ \t]{0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # rules, setext
    (re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+", re.M), ""),  # blockquotes
    (re.compile(r"(\*\*|__)(?=\S)([^\n]{1,1000}?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^\n*]{1,500}?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^\n_]{1,500}?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]{1,1000})`"), r"\1"),  # inline code
]
_MD_TITLE = re.compile(r"^[ \t]{0,3}#[ \t]+([^\n]+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_MD_FRONT_TITLE = re.compile(r"^title:[ \t]*([^\n]+)$", re.M)


def strip_markdown(text: str) -> str:
    """Remove light Markdown syntax so snippets read as prose (linear time)."""
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


def _markdown_title(text: str) -> str | None:
    """First level-1 "# " heading, else a YAML front-matter title."""
    match = _MD_TITLE.search(text)
    if match:
        return _short_title(strip_markdown(match.group(1)[:1000]))
    if text.startswith("---\n"):
        end = text.find("\n---", 4, 65536)
        front = _MD_FRONT_TITLE.search(text, 4, end) if end > 0 else None
        if front:
            return _short_title(front.group(1).strip().strip("\"'"))
    return None


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""(?:<meta[^>]{0,512}?charset|<\?xml[^>]{0,200}?encoding)\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""",
    re.I,
)
_LATIN1_ALIASES = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"}


def _extract_html(path: Path, fmt: str, max_bytes: int) -> Extraction:
    with open(path, "rb") as fp:
        data = fp.read(max_bytes + 1)
    markup, encoding = _decode_html(data)
    del data
    parser = _VisibleText()
    parser.feed(_clean(markup))
    parser.close()
    text = _tidy(parser.text())
    title, heading = _short_title(parser.title), _short_title(parser.heading)
    if title and heading and heading in title:
        title = heading  # « Headline | Site name »: the headline
    title = title or heading
    return Extraction(text, _estimate_pages(text), "html", title, _short_title(parser.meta_date), encoding, [])


def _decode_html(data: bytes) -> tuple[str, str]:
    """BOM, then <meta charset>/<?xml encoding>, then text heuristics."""
    if any(data.startswith(bom) for bom, _codec in _BOMS):
        return decode_bytes(data)
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii").lower()
        if declared in _LATIN1_ALIASES:
            declared = "cp1252"  # what browsers do
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = None
        if codec and codec not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
            return data.decode(codec, "replace"), codec
    return decode_bytes(data)


_HTML_DATE_KEYS = frozenset(
    "article:published_time og:published_time datepublished date dc.date dc.date.created dcterms.date "
    "dcterms.created dcterms.issued pubdate publishdate publication_date sailthru.date".split()
)


# Site chrome that is not the document: cookie banners, menus, share buttons, « Les plus lus ».
_CHROME_NAMES = re.compile(
    r"cookie|consent|gdpr|rgpd|banner|navbar|menu|breadcrumb|share|social|newsletter|related|sidebar"
    r"|comment|promo|advert|\bads?\b|popup|modal|abonn|subscribe|most-read|plus-lus|footer|masthead|skip-link",
    re.IGNORECASE,
)


class _VisibleText(HTMLParser):
    """Collect the text a browser would render, plus <title> and first <h1>, without the
    site's chrome (<nav>, <aside>, <footer>, the page <header>, cookie banners, menus).

    Block boundaries request a line break (1) or a blank line (2); adjacent
    requests merge, so "</li><li>" gives one newline, not two.
    """

    SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"})
    HEAD_CONTENT = frozenset({"title", "meta", "link", "base", "style", "script", "noscript", "template"})
    PARAGRAPHS = frozenset(
        "address article aside blockquote details dl fieldset figure footer form h1 h2 h3 h4 h5 h6 "
        "header hr main nav ol p pre section table ul".split()
    )
    LINES = frozenset("caption dd div dt figcaption li summary tbody tfoot thead tr".split())
    CELLS = frozenset({"td", "th"})
    CHROME_TAGS = frozenset({"nav", "aside", "footer", "dialog", "button"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._break = 0  # pending line-break level
        self._skipping: list[str] = []
        self._title: list[str] | None = None
        self._heading: list[str] | None = None
        self._pre = 0
        self.title: str | None = None
        self.heading: str | None = None
        self.meta_date: str | None = None  # first <meta> publication date
        self._chrome: list | None = None  # [tag, depth] of the chrome element being skipped
        self._in_content = 0  # inside <article> or <main>

    def _chrome_start(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        """True while inside the site's chrome (menus, cookie banner, sidebars, footer)."""
        if self._chrome:
            if tag == self._chrome[0]:
                self._chrome[1] += 1
            return True
        if tag in self.CHROME_TAGS or (tag == "header" and not self._in_content):
            self._chrome = [tag, 1]
            return True
        if tag in ("div", "section", "ul", "p", "span", "details"):
            named = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
            if named and _CHROME_NAMES.search(named):
                self._chrome = [tag, 1]
                return True
        if tag in ("article", "main"):
            self._in_content += 1
        return False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and self.meta_date is None:
            named = {k.lower(): (v or "") for k, v in attrs}
            key = (named.get("property") or named.get("name") or named.get("itemprop") or "").lower()
            if key in _HTML_DATE_KEYS and named.get("content"):
                self.meta_date = named["content"].strip()
        if "head" in self._skipping and (tag == "body" or tag not in self.HEAD_CONTENT):
            del self._skipping[self._skipping.index("head") :]  # implied </head>
        if tag == "title" and self.title is None and "svg" not in self._skipping:
            self._title = []
        if tag in self.SKIP:
            self._skipping.append(tag)
            return
        if self._skipping:
            return
        if self._chrome_start(tag, attrs):
            return
        if tag == "h1" and self.heading is None:
            self._heading = []
        if tag == "pre":
            self._pre += 1
        if tag == "br":
            self._emit("\n")
        elif tag in self.CELLS:
            self._emit(" ")
        else:
            self._block(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            return  # <svg/> and friends: nothing inside
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title)
            self._title = None
        if tag in self._skipping:
            del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag) :]
            return
        if self._skipping:
            return
        if self._chrome:
            if tag == self._chrome[0]:
                self._chrome[1] -= 1
                if self._chrome[1] == 0:
                    self._chrome = None
            return
        if tag in ("article", "main") and self._in_content:
            self._in_content -= 1
        if tag == "h1" and self._heading is not None:
            self.heading = "".join(self._heading)
            self._heading = None
        if tag == "pre" and self._pre:
            self._pre -= 1
        self._block(tag)

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        if self._skipping or self._chrome:
            return
        if self._heading is not None:
            self._heading.append(data)
        self._emit(data if self._pre else _squash(data))

    def _block(self, tag: str) -> None:
        if tag in self.PARAGRAPHS:
            self._break = 2
        elif tag in self.LINES:
            self._break = max(self._break, 1)

    def _emit(self, data: str) -> None:
        if self._break:
            if data.isspace():
                return  # whitespace between blocks
            if self._parts:
                self._parts.append("\n" * self._break)
            self._break = 0
        self._parts.append(data)

    def text(self) -> str:
        """The visible text with one line per block."""
        joined = "".join(self._parts)
        return "\n".join(" ".join(line.split()) for line in joined.split("\n"))


_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def _squash(data: str) -> str:
    return _SPACES.sub(" ", data)


# --------------------------------------------------------------------------
# Zipped XML documents (DOCX, ODT)
# --------------------------------------------------------------------------

_BOMB_RATIO = 100
_BOMB_MIN_BYTES = 50 * 2**20
_MAX_ZIP_ENTRIES = 20_000
_METADATA_LIMIT = 2**20
_BOMB_REASON = "archive anormalement compressée (bombe zip ?)"

_W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DC_TITLE = "http://purl.org/dc/elements/1.1/}title"
_CREATED = ("http://purl.org/dc/terms/}created", "urn:oasis:names:tc:opendocument:xmlns:meta:1.0}creation-date")
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class _UnsafeXML(Exception):
    """The XML declares a DTD or entities (never legitimate in DOCX/ODT)."""


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
            self.parts.append(_squash(text))  # ODF collapses whitespace in text


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


def _extract_docx(path: Path, fmt: str, max_bytes: int) -> Extraction:
    return _extract_zipped(
        path,
        label="document Word",
        main="word/document.xml",
        extra=("word/footnotes.xml", "word/endnotes.xml"),
        meta="docProps/core.xml",
        collector=_DocxText,
        fmt="docx",
        max_bytes=max_bytes,
    )


def _extract_odt(path: Path, fmt: str, max_bytes: int) -> Extraction:
    return _extract_zipped(
        path,
        label="document OpenDocument",
        main="content.xml",
        extra=(),
        meta="meta.xml",
        collector=_OdtText,
        fmt="odt",
        max_bytes=max_bytes,
    )


def _extract_zipped(
    path: Path,
    *,
    label: str,
    main: str,
    extra: tuple[str, ...],
    meta: str,
    collector: Callable[[], _DocxText | _OdtText],
    fmt: str,
    max_bytes: int,
) -> Extraction:
    """Shared DOCX/ODT reader: bomb checks, then streaming expat parsing."""
    broken = f"{label} illisible ou corrompu"
    limit = 4 * max_bytes  # uncompressed bytes parsed per XML part
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip_bomb(archive, limit)
            names = set(archive.namelist())
            if main not in names:
                raise ExtractionError(f"{broken} ({main} absent)")
            texts = []
            for name in (main, *extra):
                if name in names:
                    handlers = collector()
                    _parse_member(archive, name, handlers, limit)
                    texts.append(_tidy("".join(handlers.parts)))
            title = created = None
            if meta in names:
                finder = _FirstText(_DC_TITLE, _CREATED)
                _parse_member(archive, meta, finder, _METADATA_LIMIT)
                title = _short_title(finder.value)
                created = _short_title(finder.others.get(_CREATED[0]) or finder.others.get(_CREATED[1]))
    except ExtractionError:
        raise
    except _UnsafeXML:
        raise ExtractionError(f"{label} suspect (DTD ou entités XML interdites)") from None
    except expat.ExpatError:
        raise ExtractionError(f"{broken} (XML invalide)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, RuntimeError):
        raise ExtractionError(f"{broken} (archive zip invalide)") from None
    text = _clean("\n\n".join(part for part in texts if part))
    return Extraction(text, _estimate_pages(text), fmt, title, created, None, [])


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
    handlers: _DocxText | _OdtText | _FirstText,
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


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------

_PDF_BROKEN = "PDF illisible ou corrompu"
_CID = re.compile(r"\(cid:\d+\)")
_PRODUCER_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.I)
_OCR_NOTE = "OCR (tesseract, fra)"


def _extract_pdf(path: Path, fmt: str, max_bytes: int) -> Extraction:
    with open(path, "rb") as fp:
        _check_pdf_envelope(fp)
        try:
            document = PDFDocument(PDFParser(fp), password="")
        except PDFPasswordIncorrect:
            raise ExtractionError("PDF protégé par mot de passe") from None
        except PDFEncryptionError:
            raise ExtractionError("PDF chiffré par une méthode non prise en charge") from None
        except (MemoryError, ExtractionError):
            raise
        except Exception as exc:  # pdfminer raises many kinds on broken files
            raise ExtractionError(f"{_PDF_BROKEN} ({_pdf_error_detail(exc)})") from None
        title, date = _pdf_info(document)
        texts, failed = _pdf_page_texts(document)
    notes = [f"{failed} page(s) illisible(s) ignorée(s)"] if failed else []
    if not texts:
        raise ExtractionError(f"{_PDF_BROKEN} (aucune page)")
    if failed == len(texts):
        raise ExtractionError(f"{_PDF_BROKEN} (aucune page lisible)")
    if not any(text.strip() for text in texts):
        texts = _ocr_pdf(path, len(texts))
        notes.append(_OCR_NOTE)
    text = "\f".join(_tidy(text) for text in texts)
    return Extraction(text, len(texts), "pdf", title, date, None, notes)


def _check_pdf_envelope(fp: io.BufferedReader) -> None:
    """Reject files without a %PDF header or without a final %%EOF (truncated)."""
    if b"%PDF-" not in fp.read(1024):
        raise ExtractionError(f"{_PDF_BROKEN} (en-tête %PDF absent)")
    size = fp.seek(0, os.SEEK_END)
    fp.seek(max(0, size - 65536))
    tail = fp.read().rstrip(b"\x00\t\n\r\f ")
    if b"%%EOF" not in tail[-1024:]:
        raise ExtractionError(f"{_PDF_BROKEN} (fichier tronqué)")
    fp.seek(0)


def _pdf_error_detail(exc: BaseException) -> str:
    if isinstance(exc, PSEOF | EOFError):
        return "fin de fichier inattendue"
    if isinstance(exc, RecursionError):
        return "structure trop imbriquée"
    message = str(exc)
    if "No /Root" in message or "Catalog" in message:
        return "catalogue introuvable"
    return f"structure invalide : {type(exc).__name__}"


def _pdf_page_texts(document: PDFDocument) -> tuple[list[str], int]:
    """Text of every page (NUL and (cid:N) junk removed) and the failed-page count."""
    resources = PDFResourceManager(caching=True)
    buffer = io.StringIO()
    device = TextConverter(resources, buffer, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    texts: list[str] = []
    failed = 0
    try:
        for page in PDFPage.create_pages(document):
            try:
                interpreter.process_page(page)
            except (MemoryError, ExtractionError):
                raise
            except Exception:  # one broken page must not lose the document
                failed += 1
            page_text = buffer.getvalue().replace("\f", "")
            texts.append(_CID.sub("", _clean(page_text)))
            buffer.seek(0)
            buffer.truncate(0)
    except (MemoryError, ExtractionError):
        raise
    except Exception as exc:
        if not texts:
            raise ExtractionError(f"{_PDF_BROKEN} ({_pdf_error_detail(exc)})") from None
        failed += 1  # page tree broken after some pages: keep what was read
    finally:
        device.close()
    return texts, failed


def _pdf_info(document: PDFDocument) -> tuple[str | None, str | None]:
    """(Title, CreationDate) from the newest Info dictionary that has them."""
    title = date = None
    try:
        for info in document.info:
            if title is None:
                title = _pdf_string(info.get("Title"))
            if date is None:
                date = _pdf_string(info.get("CreationDate"))
    except (MemoryError, ExtractionError):
        raise
    except Exception:
        pass  # broken metadata is not worth failing the document
    if title:
        title = _PRODUCER_PREFIX.sub("", title)
    return _short_title(title), _short_title(date)


def _pdf_string(value: object) -> str | None:
    value = resolve1(value)
    if isinstance(value, bytes):
        return decode_text(value)
    if isinstance(value, str):
        return value
    return None


@functools.lru_cache(maxsize=1)
def ocr_available() -> bool:
    """True when tesseract (with the fra language) and pdftoppm are installed."""
    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    if not (tesseract and pdftoppm):
        return False
    try:
        listing = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "fra" in (listing.stdout + listing.stderr).split()


def _ocr_pdf(path: Path, pages: int) -> list[str]:
    """OCR every page (pdftoppm -r 200 then tesseract -l fra)."""
    if not ocr_available():
        raise ExtractionError("pas de couche texte (PDF image ; OCR indisponible)")
    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    texts = []
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        image = Path(tmp, "page")
        for number in range(1, pages + 1):
            try:
                subprocess.run(
                    [pdftoppm, "-r", "200", "-png", "-singlefile"]
                    + ["-f", str(number), "-l", str(number), str(path), str(image)],
                    check=True,
                    capture_output=True,
                    preexec_fn=die_with_parent,
                )
                result = subprocess.run(
                    [tesseract, f"{image}.png", "stdout", "-l", "fra"],
                    check=True,
                    capture_output=True,
                    env=env,
                    preexec_fn=die_with_parent,
                )
            except (OSError, subprocess.CalledProcessError):
                raise ExtractionError(f"OCR en échec (page {number})") from None
            texts.append(_clean(result.stdout.decode("utf-8", "replace")))
    if not any(text.strip() for text in texts):
        raise ExtractionError("pas de couche texte (PDF image ; OCR sans résultat)")
    return texts


def die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


_HANDLERS: dict[str, Callable[[Path, str, int], Extraction]] = {
    "pdf": _extract_pdf,
    "txt": _extract_text_file,
    "md": _extract_text_file,
    "html": _extract_html,
    "docx": _extract_docx,
    "odt": _extract_odt,
}
