"""Site chrome in plain text: what a web page printed to PDF (« Imprimer en PDF ») or copied
as text keeps of the site around the article.

HTML pages lose their menus, teasers and footers at extraction (``indexer.formats.html``); a PDF
printed from the same page keeps them as lines of text: the cookie banner, the menu bar
(« Accueil Économie Sport … »), boxes of teasers (« Les plus lus », « À lire aussi »: short
lines such as « Toyota Onnaing : / nouvelle équipe de / nuit »), the footer (« © … —
Mentions légales »), the browser's print header and footer. The names and words in them are
not the document's: ``mask_chrome`` blanks those blocks for actors, themes and places, and
leaves the text itself (searchable, shown) as it is.
"""

from __future__ import annotations

import re

__all__ = ["mask_chrome"]

SHORT_LINE = 32  # teaser lines in a printed page's side column are shorter than this
TEASER_MIN_LINES = 3
TEASER_MIN_COLONS = 2
MENU_BLOCK_LINES = (
    3  # a menu bar and the site's name above it  # « Denain : le marché », « Soitec : résultats », « EDF: Reaktoren »
)

_BLOCK = re.compile(r"[^\n]+(?:\n[^\n]+)*")
# Headings of teaser boxes and link lists.
_TEASER_HEADINGS = re.compile(
    r"^(?:les plus lus|les plus partagés|les plus commentés|à lire aussi|a lire aussi|lire aussi|à lire|"
    r"voir aussi|sur le même sujet|dans la même rubrique|à la une|a la une|nos dossiers|dossiers?(?: [^\n]{0,30})?|"
    r"derniers articles|dernières infos|dernières actualités|publications récentes|articles liés|en continu|"
    r"mehr zum thema|meistgelesen|das könnte sie auch interessieren|read more|related(?: articles| stories)?|"
    r"most read|trending)\s*:?$",
    re.IGNORECASE,
)
_COOKIES = re.compile(
    r"\b(?:cookies?|traceurs|données personnelles|datenschutz\w*|accepter (?:et fermer|les cookies|refuser))\b|"
    r"^(?:accepter|refuser|paramétrer|tout accepter|continuer sans accepter)(?:\s+(?:accepter|refuser|paramétrer))*\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FOOTER = re.compile(
    r"^©|mentions légales|tous droits (?:de reproduction )?réservés|politique de confidentialité|reproduction interdite|"
    r"\bimpressum\b|\bcgu\b|plan du site|nous contacter|charte de confidentialité",
    re.IGNORECASE,
)
# A menu bar: « Accueil Économie Sport Faits divers », « Startseite Wirtschaft … », « Accueil › Rapports ›».
_MENU = re.compile(r"^(?:accueil|startseite|home)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]\s*$")
# The browser's print header and footer: « 12/3/26, 10:59 AM », « file:///… », « 2/2 ».
_PRINT_MARKS = re.compile(r"^(?:\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}(?: [AP]M)?|file://\S+|https?://\S+|\d+/\d+)$")


def mask_chrome(text: str) -> str:
    """``text`` with its site-chrome blocks replaced by spaces (same length, offsets kept)."""
    if not text:
        return text
    out = list(text)
    after_heading = False  # the previous block is « Les plus lus », « Dossiers », « Mehr zum Thema »…
    for m in _BLOCK.finditer(text.replace("\x0c", "\n")):  # a page break ends a line
        lines = [line.strip() for line in m.group().split("\n")]
        menu = [line for line in lines if _MENU.match(line) and not _SENTENCE_END.search(line)]
        if _is_chrome(lines) or (after_heading and _all_short(lines)) or (menu and len(lines) <= MENU_BLOCK_LINES):
            _blank(out, m.start(), m.end())  # a menu bar with the site's name: « L'Écho du Hainaut / Accueil … »
        elif menu:
            offset = m.start()
            for line in m.group().split("\n"):
                if _MENU.match(line.strip()) and not _SENTENCE_END.search(line):
                    _blank(out, offset, offset + len(line))
                offset += len(line) + 1
        after_heading = len(lines) == 1 and bool(_TEASER_HEADINGS.match(lines[0]))
    return "".join(out)


def _is_chrome(lines: list[str]) -> bool:
    joined = "\n".join(lines)
    if _TEASER_HEADINGS.match(joined) and len(lines) == 1:
        return True
    if _teaser_box(lines):
        return True
    if _COOKIES.search(joined) and len(joined) < 400:
        return True
    if len(lines) <= 2 and _FOOTER.search(joined):
        return True
    if len(lines) == 1 and (_MENU.match(lines[0]) or _PRINT_MARKS.match(lines[0])):
        return True
    return False


def _all_short(lines: list[str]) -> bool:
    return len(lines) >= 2 and all(len(line) <= SHORT_LINE for line in lines)


def _teaser_box(lines: list[str]) -> bool:
    """Three or more short lines, two of them « Name : headline » teasers."""
    if len(lines) < TEASER_MIN_LINES or not all(len(line) <= SHORT_LINE for line in lines):
        return False
    return sum(":" in line for line in lines) >= TEASER_MIN_COLONS


def _blank(out: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if out[i] != "\n":
            out[i] = " "
