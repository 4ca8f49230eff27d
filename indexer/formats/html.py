"""HTML pages (.html, .htm): the text a browser shows, without the site's menus and banners."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from indexer.formats.base import Extraction, clean, estimate_pages, read_at_most, short_title, squash, tidy
from indexer.formats.encoding import BOMS, decode_bytes

__all__ = ["extract"]

_META_CHARSET = re.compile(
    rb"""(?:<meta[^>]{0,512}?charset|<\?xml[^>]{0,200}?encoding)\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""",
    re.I,
)
_LATIN1_ALIASES = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"}


def extract(path: Path, max_bytes: int) -> Extraction:
    """The visible text; the title from <title> or the first <h1>, the date from <meta>."""
    markup, encoding = _decode_html(read_at_most(path, max_bytes))
    parser = _VisibleText()
    parser.feed(clean(markup))
    parser.close()
    text = tidy(parser.text())
    title, heading = short_title(parser.title), short_title(parser.heading)
    if title and heading and heading in title:
        title = heading  # « Headline | Site name »: the headline
    title = title or heading
    return Extraction(text, estimate_pages(text), "html", title, short_title(parser.meta_date), encoding, [])


def _decode_html(data: bytes) -> tuple[str, str]:
    """BOM, then <meta charset>/<?xml encoding>, then text heuristics."""
    if any(data.startswith(bom) for bom, _codec in BOMS):
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
        self._emit(data if self._pre else squash(data))

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
