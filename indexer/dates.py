"""French date reader: find date mentions in text and pick a document date.

Size (~1 000 lines): its sections (patterns, scanner, year inference, choice of the document
date) share the private `_Hit` and the compiled patterns; split, each would import the others'
internals. The calendar words themselves are in archive/text.py.

No generic date library is used: the forms are the ones met in French
industrial-policy documents (press releases, invitations, reports...).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from archive.text import (
    ENGLISH_MONTHS,
    MONTHS,
    MONTHS_SHORT,
    SPACES,
    WEEKDAYS,
    fold_words,
    in_period,
    strip_accents,
)

__all__ = [
    "DateMention",
    "DocumentDate",
    "document_date",
    "events",
    "find_dates",
    "parse_date",
]

BARE_YEAR_MIN, BARE_YEAR_MAX = 1990, 2035
PDF_YEAR_MIN, PDF_YEAR_MAX = 1995, 2035
EXPLICIT_YEAR_MIN, EXPLICIT_YEAR_MAX = 1800, 2099
HEADER_CHARS = 400
CONTEXT_RADIUS = 40


@dataclass(frozen=True)
class DateMention:
    """One date (or date range) found in a text."""

    value: str  # ISO with precision kept: "2020-09-17", "2026-03" or "2011"
    precision: str  # "day" | "month" | "year"
    start: int  # char offsets in the text
    end: int
    context: str  # ~80 chars around the mention, whitespace collapsed
    end_value: str | None = None  # end of a range ("du 4 au 11 avril 2011")


@dataclass(frozen=True)
class DocumentDate:
    """The date chosen for a whole document and where it came from."""

    value: str | None
    precision: str | None
    source: str  # sidecar|header|publication|pdf|filename|event|none
    in_range: bool  # the year is within the archive's period (archive.text.in_period)


@dataclass(frozen=True)
class _Hit:
    """A raw mention plus the facts needed to rank or complete it."""

    mention: DateMention
    explicit: bool = True  # False: year still missing (day-month only)
    weekday: int | None = None  # 0 = lundi
    relative: str | None = None  # "dernier" | "prochain"
    day: int = 0
    month: int = 0


# --------------------------------------------------------------------------
# Regular expressions
# --------------------------------------------------------------------------

_WS = rf"[ \t{SPACES}]"
_SEP = rf"(?:{_WS}+(?:\r?\n{_WS}*)?|\r?\n{_WS}*)"  # spaces, at most one newline

# Abbreviations read besides those of French typography (MONTHS_SHORT): « jan. », « fév. », « sep. ».
_EXTRA_SHORT = {1: ("jan",), 2: ("fév",), 9: ("sep",)}
# German names that differ from the English ones (matched only when capitalised, as English ones).
_GERMAN_MONTHS = ("Januar", "Februar", "März", "Maerz", "Juni", "Juli", "Oktober", "Dezember")
_GERMAN_NUMBERS = (1, 2, 3, 3, 6, 7, 10, 12)


def _french_spellings(number: int) -> tuple[str, ...]:
    """A month's full name, then its abbreviations, longest first: « septembre », « sept », « sep »."""
    full, short = MONTHS[number - 1], MONTHS_SHORT[number - 1].rstrip(".")
    shorts = ((short,) if short != full else ()) + _EXTRA_SHORT.get(number, ())
    return (full, *sorted(shorts, key=len, reverse=True))


def _accent_tolerant(word: str) -> str:
    """« février » → « f[ée]vrier »: the word with or without its accents."""
    return "".join(f"[{c}{strip_accents(c)}]" if strip_accents(c) != c else re.escape(c) for c in word)


_MONTHS: dict[str, int] = {
    **{fold_words(w): n for n in range(1, 13) for w in _french_spellings(n)},
    **{w.lower(): n for n, w in enumerate(ENGLISH_MONTHS, 1)},
    **{fold_words(w): n for w, n in zip(_GERMAN_MONTHS, _GERMAN_NUMBERS, strict=True)},
}
# English abbreviations, read only month-first and capitalised (« Feb. 6, 2019 »), see _MDY_TEXT.
_ENGLISH_SHORT = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
for _short in _ENGLISH_SHORT:
    _MONTHS.setdefault(
        _short.lower(), ("jan feb mar apr may jun jul aug sep oct nov dec".split().index(_short[:3].lower()) + 1)
    )
_FULL_MONTH_NAMES = frozenset(k for k in _MONTHS if len(k) > 4 or k in ("mars", "mai", "juin", "aout"))

# English and German month names, case-sensitive so that « may » or « august » (adjective) are not read.
_FOREIGN_MONTH = rf"(?-i:{'|'.join(ENGLISH_MONTHS + _GERMAN_MONTHS)})"
_MONTH = (
    "(?:"
    + "|".join(
        _accent_tolerant(w) + (r"\.?" if i else "") for n in range(1, 13) for i, w in enumerate(_french_spellings(n))
    )
    + rf"|{_FOREIGN_MONTH})(?![^\W\d_])"
)
_WEEKDAYS = WEEKDAYS
_WD = rf"(?:(?P<wd>{'|'.join(_WEEKDAYS)}),?{_SEP})?"
_DAY = rf"(?<![\w.,/:])(?P<d>[0-3]?\d)(?:{_WS}?(?:er|ᵉʳ))?(?![\d\w])"
_YEAR = r"(?P<y>\d{4})(?![\d\w]|[.,]\d)"
_FLAGS = re.IGNORECASE

_RANGE_TEXT = re.compile(
    rf"(?<!\w)(?:(?P<pre>du|les|des|entre(?:{_WS}+le)?){_WS}+)?"
    rf"(?:(?:{'|'.join(_WEEKDAYS)}),?{_SEP})?"
    rf"(?<![\w.,/:])(?P<d1>[0-3]?\d)(?:{_WS}?(?:er|ᵉʳ))?(?![\d\w])"
    rf"(?:{_SEP}(?P<m1>{_MONTH})(?:{_SEP}(?P<y1>\d{{4}})(?!\d))?)?"
    rf"(?:(?P<gap>{_WS}*)(?P<dash>[-–])|{_SEP}(?P<conj>au|et))"
    rf"(?:{_SEP}le)?{_WS}*"
    rf"(?:(?:{'|'.join(_WEEKDAYS)}),?{_SEP})?"
    rf"(?P<d2>[0-3]?\d)(?:{_WS}?(?:er|ᵉʳ))?(?![\d\w])"
    rf"{_SEP}(?P<m2>{_MONTH}){_SEP}(?P<y2>\d{{4}})(?![\d\w]|[.,]\d)",
    _FLAGS,
)
_DMY_TEXT = re.compile(rf"(?<!\w){_WD}{_DAY}\.?{_SEP}(?P<m>{_MONTH}),?{_SEP}{_YEAR}", _FLAGS)
# English month-first dates: « May 12, 2023 », « June 3rd 2019 ».
_MDY_TEXT = re.compile(
    rf"(?<!\w)(?P<m>{_FOREIGN_MONTH}|(?-i:{'|'.join(_ENGLISH_SHORT)})\.?){_SEP}(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?{_SEP}{_YEAR}",
    _FLAGS,
)
_NUM_DMY = re.compile(
    r"(?<![\d./-])(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})"
    r"(?![\d]|[./-]\d)"
)
_ISO = re.compile(
    r"(?<![\d./-])(?P<y>\d{4})(?P<s>[-/])(?P<m>\d{2})(?P=s)(?P<d>\d{2})"
    r"(?![\d]|[./-]\d)"
)
_YEAR_RANGE = re.compile(
    rf"(?<![\w./,-])(?:(?P<pre>de|entre){_WS}+)?(?P<y1>\d{{4}})"
    rf"(?:{_WS}*(?P<dash>[-–/]){_WS}*|{_WS}+(?P<conj>à|a|et|au){_WS}+)"
    rf"(?P<y2>\d{{4}})(?![\d\w]|[.,]\d)",
    _FLAGS,
)
_MONTH_YEAR = re.compile(rf"(?<!\w)(?P<m>{_MONTH}){_SEP}{_YEAR}", _FLAGS)
_DM_NOYEAR = re.compile(
    rf"(?<!\w){_WD}{_DAY}{_SEP}(?P<m>{_MONTH})"
    rf"(?:{_SEP}(?P<rel>dernier|prochain))?(?!{_SEP}?\d)",
    _FLAGS,
)
_BARE_YEAR = re.compile(r"(?<![\w.,/:°])(?P<y>\d{4})(?![\w]|[.,/]\d)")

_YEAR_CUE = re.compile(
    r"(?:(?<!\w)(?:en|depuis|dès|d['’]ici|jusqu['’](?:en|à|a|au)|avant|après"
    r"|apres|fin|début|debut|courant|année|annee|années|annees|pour|exercice"
    r"|horizon|printemps|été|ete|automne|hiver|rentrée|rentree|trimestre|semestre"
    r"|budget|plf|plfss|copyright|l['’]an|édition|bilan|campagne|session|millésime"
    r"|saison|rapport(?:\s+annuel|\s+d['’]activité)?"
    r"|municipales|régionales|regionales|législatives|legislatives|présidentielle|presidentielle"
    r"|européennes|europeennes|départementales|departementales|sénatoriales|senatoriales|élections|elections)"
    r"|mi-|©|\()"
    rf"{_WS}*$",
    _FLAGS,
)
_YEAR_UNIT_VETO = re.compile(
    rf"^{_WS}*(?:€|euros?\b|k€|m€|%|emplois?\b|salarié|personnes?\b|habitants?\b"
    r"|m²|m2\b|km\b|tonnes?\b|entreprises?\b|exemplaires?\b|heures?\b|h\b)",
    _FLAGS,
)
_ALONE_BEFORE = re.compile(rf"(?:^|\n){_WS}*$")
_ALONE_AFTER = re.compile(rf"{_WS}*(?:\r?\n|$)")
_THOUSANDS_BEFORE = re.compile(rf"\d{_WS}$")
_THOUSANDS_AFTER = re.compile(rf"^{_WS}\d{{3}}(?!\d)")
_RANGE_GAP = re.compile(rf"^{_WS}*(?:au|[-–]|et)(?:{_WS}+le)?{_WS}*$", _FLAGS)
_RANGE_PREFIX = re.compile(rf"(?<!\w)(?:du|les|des|entre(?:{_WS}+le)?){_WS}+$", _FLAGS)

_PUBLICATION_CUE = re.compile(
    r"(?:publié|publiée|publie|mis\s+à\s+jour|mise\s+à\s+jour|paru|parue|parution"
    r"|communiqué(?:\s+de\s+presse)?|en\s+date|date\s+de\s+publication|date(?=\s*:)"
    r"|diffusé|édité|rédigé|actualisé|(?m:^)[ \t]*fait\s+(?:à\s+[^\W\d_][\w'’ -]{0,30},?\s*)?)"
    r"\s*(?:le|du|en|:)?\s*(?:le\s+)?[\s:,-]*$",
    _FLAGS,
)
# « Décret n° 2022-1120 du 4 août 2022 … », « Arrêté du 1er avril 2016 … », « LOI n° … du … ».
_OFFICIAL_TITLE = re.compile(
    r"(?im)^[ \t]*(?:loi(?:\s+organique)?|d[ée]cret|arr[êe]t[ée]|ordonnance|circulaire|d[ée]cision"
    r"|d[ée]lib[ée]ration|instruction)\b[^\n]{0,60}?\bdu\s+$"
)
_CLOCK = re.compile(r"(?<!\d)\d{1,2}\s*(?:h|:)\s*\d{0,2}(?![\d])|\bde\s+\d{1,2}\s*h", re.IGNORECASE)
_DEADLINE = re.compile(r"(?:avant|jusqu['’]au|jusqu['’]à|au\s+plus\s+tard|d['’]ici)(?:\s+le)?\s*$", re.IGNORECASE)
_HEADER_WORD = re.compile(r"[^\W\d_]{2,}")
HEADER_MAX_WORDS = 4  # a dated header line: the date and at most a few words (place, « Réunion du »)
_PLACE_CUE = re.compile(
    r"[ \t\u00a0]*(?:fait\s+à\s+)?[A-ZÀ-Ý][\w'’./-]*"
    r"(?:[ \t\u00a0-][\w'’./()-]+){0,3}\s*,\s*(?:le\s+)?",
)
# Parts of a header or footer line: « Note de position — Édition 2024 », « CGT de l'Isère –
# Novembre 2024 – Ne pas jeter », « Équipe CFDT – Florange, le 10 décembre 2012 ».
_SEGMENT_SEP = re.compile(r"\s[–—|·•]\s|\s-\s")
_UPDATE_CUE = re.compile(r"(?:mis|mise)\s+à\s+jour|actualisé|updated|last\s+update|aktualisiert|modifié", re.IGNORECASE)
FOOTER_CHARS = 400
_EVENT_CUE = re.compile(
    r"organis|se\s+tiendr|se\s+tient|aura\s+lieu|se\s+déroul|rendez-vous|invit"
    r"|visite|rencontre|réunion|assises|journée|semaine|salon|colloque|forum"
    r"|conférence|inauguration|lancement",
    _FLAGS,
)
_PAST_CUE = re.compile(r"lancé|signé|signature|depuis|créé|adopté|décidé|annoncé|dernier", _FLAGS)


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _month_number(token: str) -> int | None:
    """Month number of a (possibly abbreviated, unaccented) French month name."""
    return _MONTHS.get(fold_words(token).rstrip("."))


def _is_full_month(token: str) -> bool:
    """True for a full month name or an abbreviation written with a dot."""
    return token.endswith(".") or fold_words(token) in _FULL_MONTH_NAMES


def _weekday_number(token: str | None) -> int | None:
    """0 for lundi ... 6 for dimanche."""
    if not token:
        return None
    return _WEEKDAYS.index(fold_words(token))


def _expand_year(y: str) -> int:
    """Two-digit years pivot at 70: 00-69 -> 20xx, 70-99 -> 19xx."""
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n < 70 else 1900 + n
    return n


def _valid_day(y: int, m: int, d: int) -> date | None:
    """A real calendar date or None ("31 février" is rejected)."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    """ISO string keeping the precision."""
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _context(text: str, start: int, end: int) -> str:
    """About 80 characters around a mention, whitespace collapsed."""
    lo, hi = max(0, start - CONTEXT_RADIUS), min(len(text), end + CONTEXT_RADIUS)
    if lo > 0 and not text[lo - 1].isspace():
        cut = re.search(r"\s", text[lo:start])
        lo = lo + cut.end() if cut else lo
    if hi < len(text) and not text[hi].isspace():
        cut = list(re.finditer(r"\s", text[end:hi]))
        hi = end + cut[-1].start() if cut else hi
    return " ".join(text[lo:hi].split())


def _mention(text: str, start: int, end: int, value: str, precision: str, end_value=None) -> DateMention:
    """Build a mention with its context."""
    ctx = _context(text, start, end)
    return DateMention(value, precision, start, end, ctx, end_value)


# --------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------


class _Scanner:
    """Runs the patterns by priority; a span once taken is not read again."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = bytearray(len(text))
        self.hits: list[_Hit] = []

    def free(self, start: int, end: int) -> bool:
        """True when no character of the span is already taken."""
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        """Mark a span as read."""
        self.taken[start:end] = b"\x01" * (end - start)

    def add(self, hit: _Hit) -> None:
        """Record a hit and take its span."""
        self.hits.append(hit)
        self.take(hit.mention.start, hit.mention.end)


def _scan_ranges(sc: _Scanner) -> None:
    """du 4 au 11 avril 2011, du 30 mars au 2 avril 2021, 4-11 avril 2011."""
    for m in _RANGE_TEXT.finditer(sc.text):
        if not sc.free(m.start(), m.end()):
            continue
        if not m.group("pre") and (m.group("conj") or m.group("gap")):
            continue
        m2, y2 = _month_number(m.group("m2")), int(m.group("y2"))
        m1 = _month_number(m.group("m1")) if m.group("m1") else m2
        y1 = int(m.group("y1")) if m.group("y1") else (y2 - 1 if m1 > m2 else y2)
        first = _valid_day(y1, m1, int(m.group("d1")))
        last = _valid_day(y2, m2, int(m.group("d2")))
        if not first or not last or last <= first:
            continue
        start = m.start("d1") if not m.group("pre") else m.start()
        hit = _mention(sc.text, start, m.end(), first.isoformat(), "day", last.isoformat())
        sc.add(_Hit(hit))


def _scan_day_dates(sc: _Scanner) -> None:
    """17 septembre 2020, Jeudi 17 septembre 2020, 1er avril 2011."""
    for m in _DMY_TEXT.finditer(sc.text):
        if not sc.free(m.start(), m.end()):
            continue
        sc.take(m.start(), m.end())  # an invalid day is not re-read as a month
        y, mo, d = int(m.group("y")), _month_number(m.group("m")), int(m.group("d"))
        day = _valid_day(y, mo, d) if EXPLICIT_YEAR_MIN <= y <= EXPLICIT_YEAR_MAX else None
        if day:
            hit = _mention(sc.text, m.start(), m.end(), day.isoformat(), "day")
            sc.add(_Hit(hit, weekday=_weekday_number(m.group("wd"))))


def _scan_month_first(sc: _Scanner) -> None:
    """English month-first dates: May 12, 2023."""
    for m in _MDY_TEXT.finditer(sc.text):
        if not sc.free(m.start(), m.end()):
            continue
        y, mo, d = int(m.group("y")), _month_number(m.group("m")), int(m.group("d"))
        day = _valid_day(y, mo, d) if EXPLICIT_YEAR_MIN <= y <= EXPLICIT_YEAR_MAX else None
        if day:
            sc.add(_Hit(_mention(sc.text, m.start(), m.end(), day.isoformat(), "day")))


def _scan_numeric(sc: _Scanner) -> None:
    """17/09/2020, 17.09.20, 17-09-2020 and ISO 2020-09-17."""
    for pattern in (_ISO, _NUM_DMY):
        for m in pattern.finditer(sc.text):
            if not sc.free(m.start(), m.end()):
                continue
            if len(m.group("y")) == 2 and len(m.group("d") + m.group("m")) < 4:
                continue  # "1.2.20" is a section number, "17.09.20" a date
            y = _expand_year(m.group("y"))
            day = _valid_day(y, int(m.group("m")), int(m.group("d")))
            if day and 1900 <= y <= EXPLICIT_YEAR_MAX:
                hit = _mention(sc.text, m.start(), m.end(), day.isoformat(), "day")
                sc.add(_Hit(hit))


def _scan_month_years(sc: _Scanner) -> None:
    """mars 2026, en mars 2026, sept. 2020."""
    for m in _MONTH_YEAR.finditer(sc.text):
        if not sc.free(m.start(), m.end()):
            continue
        y = int(m.group("y"))
        if EXPLICIT_YEAR_MIN <= y <= EXPLICIT_YEAR_MAX:
            value = _iso(y, _month_number(m.group("m")))
            sc.add(_Hit(_mention(sc.text, m.start(), m.end(), value, "month")))


def _scan_year_ranges(sc: _Scanner) -> None:
    """2011-2026, 2020/2021, de 2011 à 2026, entre 2011 et 2026."""
    for m in _YEAR_RANGE.finditer(sc.text):
        if not sc.free(m.start(), m.end()):
            continue
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if m.group("conj") and not m.group("pre"):
            continue
        if m.group("dash") == "/" and y2 != y1 + 1:
            continue
        if not (BARE_YEAR_MIN <= y1 < y2 <= BARE_YEAR_MAX):
            continue
        hit = _mention(sc.text, m.start(), m.end(), _iso(y1), "year", _iso(y2))
        sc.add(_Hit(hit))


def _bare_year_ok(text: str, m: re.Match[str]) -> bool:
    """A bare 4-digit year needs 1990-2035, a cue and no number/unit around."""
    y = int(m.group("y"))
    if not BARE_YEAR_MIN <= y <= BARE_YEAR_MAX:
        return False
    before, after = text[max(0, m.start() - 40) : m.start()], text[m.end() :]
    if before.endswith("-") and not before.lower().endswith("mi-"):
        return False
    if _THOUSANDS_BEFORE.search(before) or _THOUSANDS_AFTER.match(after[:8]):
        return False
    if _YEAR_UNIT_VETO.match(after[:20]):
        return False
    if _ALONE_BEFORE.search(before) and _ALONE_AFTER.match(after):
        return True  # a year alone on its line: a cover page's « 2013 »
    cue = _YEAR_CUE.search(before)
    if cue and cue.group(0).strip().startswith("("):
        return after.startswith(")")
    return cue is not None


def _scan_bare_years(sc: _Scanner) -> None:
    """en 2011, depuis 2023, d'ici 2028, pour l'année 2024, (2019)."""
    for m in _BARE_YEAR.finditer(sc.text):
        if sc.free(m.start(), m.end()) and _bare_year_ok(sc.text, m):
            value = m.group("y")
            sc.add(_Hit(_mention(sc.text, m.start(), m.end(), value, "year")))


def _scan_day_months(sc: _Scanner) -> None:
    """Lundi 21 septembre, le 14 décembre dernier (year filled in later)."""
    for m in _DM_NOYEAR.finditer(sc.text):
        if not sc.free(m.start(), m.end()) or not _is_full_month(m.group("m")):
            continue
        mo, d = _month_number(m.group("m")), int(m.group("d"))
        if not _valid_day(2000, mo, d):  # 2000 is a leap year: 29 février allowed
            continue
        rel = fold_words(m.group("rel")) if m.group("rel") else None
        placeholder = _mention(sc.text, m.start(), m.end(), "", "day")
        wd = _weekday_number(m.group("wd"))
        sc.add(_Hit(placeholder, explicit=False, weekday=wd, relative=rel, day=d, month=mo))


@lru_cache(maxsize=16)
def _scan(text: str) -> tuple[_Hit, ...]:
    """All raw hits, explicit and year-less, sorted by position."""
    sc = _Scanner(text)
    _scan_ranges(sc)
    _scan_day_dates(sc)
    _scan_month_first(sc)
    _scan_numeric(sc)
    _scan_month_years(sc)
    _scan_year_ranges(sc)
    _scan_bare_years(sc)
    _scan_day_months(sc)
    hits = sorted(sc.hits, key=lambda h: h.mention.start)
    return tuple(_merge_ranges(text, hits))


def _merge_ranges(text: str, hits: list[_Hit]) -> list[_Hit]:
    """Join "du 17/09/2020 au 20/09/2020" style pairs into one range."""
    out: list[_Hit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and _can_merge(text, prev, hit):
            a, b = prev.mention, hit.mention
            pre = _RANGE_PREFIX.search(text[max(0, a.start - 20) : a.start])
            start = a.start - (len(pre.group(0)) if pre else 0)
            merged = _mention(text, start, b.end, a.value, "day", b.value)
            out[-1] = replace(prev, mention=merged)
            continue
        out.append(hit)
    return out


def _can_merge(text: str, a: _Hit, b: _Hit) -> bool:
    """Two explicit day dates joined by "au"/"–" after "du"/"entre le"."""
    ma, mb = a.mention, b.mention
    if not (a.explicit and b.explicit) or ma.end_value or mb.end_value:
        return False
    if ma.precision != "day" or mb.precision != "day" or mb.value <= ma.value:
        return False
    if not _RANGE_GAP.match(text[ma.end : mb.start]):
        return False
    return bool(_RANGE_PREFIX.search(text[max(0, ma.start - 20) : ma.start]))


# --------------------------------------------------------------------------
# Year inference for "Lundi 21 septembre", "le 14 décembre dernier"
# --------------------------------------------------------------------------


def _nearest_dated(hits: tuple[_Hit, ...], pos: int) -> DateMention | None:
    """The explicit day/month mention closest to pos (else any explicit one)."""
    explicit = [h.mention for h in hits if h.explicit]
    precise = [m for m in explicit if m.precision != "year"] or explicit
    if not precise:
        return None
    return min(precise, key=lambda m: (abs(m.start - pos), m.start))


def _ref_date(value: str) -> date:
    """First day covered by an ISO value of any precision."""
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def _infer_year(hit: _Hit, ref: date) -> int:
    """Year of a day-month mention relative to a reference date."""
    y = ref.year
    if hit.relative == "dernier":
        return y if (hit.month, hit.day) < (ref.month, ref.day) else y - 1
    if hit.relative == "prochain":
        return y if (hit.month, hit.day) > (ref.month, ref.day) else y + 1
    if hit.weekday is not None:
        for cand in (y, y - 1, y + 1):
            day = _valid_day(cand, hit.month, hit.day)
            if day and day.weekday() == hit.weekday:
                return cand
    return y


_ANY_YEAR = re.compile(r"(?<![\d\w])(?:19|20)\d\d(?![\d\w])")


def _weekday_year(text: str, hit: _Hit) -> int | None:
    """« Vendredi 17 novembre » with no dated mention around: the one year written anywhere
    in the text (a footer « 2023 », a title) on which that day is that weekday."""
    if hit.weekday is None:
        return None
    years = {int(y) for y in _ANY_YEAR.findall(text) if BARE_YEAR_MIN <= int(y) <= BARE_YEAR_MAX}
    fits = {y for y in years if (d := _valid_day(y, hit.month, hit.day)) and d.weekday() == hit.weekday}
    return fits.pop() if len(fits) == 1 else None


def _resolve(text: str, hits: tuple[_Hit, ...]) -> list[DateMention]:
    """Fill the year of year-less hits; drop those without any reference."""
    if all(h.explicit for h in hits):
        return [h.mention for h in hits]
    doc_ref = _text_date(text)
    out: list[DateMention] = []
    for hit in hits:
        if hit.explicit:
            out.append(hit.mention)
            continue
        near = _nearest_dated(hits, hit.mention.start)
        if near is None:
            year = _weekday_year(text, hit)
            if year is not None:
                out.append(replace(hit.mention, value=_iso(year, hit.month, hit.day)))
            continue
        ref_value = near.value
        if hit.relative and doc_ref and doc_ref.precision != "year":
            ref_value = doc_ref.value
        y = _infer_year(hit, _ref_date(ref_value))
        day = _valid_day(y, hit.month, hit.day)
        if day:
            out.append(replace(hit.mention, value=day.isoformat()))
    return out


# --------------------------------------------------------------------------
# Public API: mentions
# --------------------------------------------------------------------------


def find_dates(text: str) -> list[DateMention]:
    """All date mentions of a French text, in order of appearance."""
    if not text:
        return []
    return _resolve(text, _scan(text))


_ISO_LIKE = re.compile(
    r"^(?:D:)?(?P<y>\d{4})(?:(?P<s>[-/.]?)(?P<m>\d{2})(?:(?P=s)(?P<d>\d{2}))?)?"
    r"(?:[T ]\d{2}[:h]?\d{2}.*|\d{6}.*)?$"
)
_FILLER = re.compile(
    rf"^(?:{_WS}|[\s,.;:()\[\]'\"«»-])*(?:(?:le|du|en|depuis|dès|au){_WS}*)?"
    rf"(?:{_WS}|[\s,.;:()\[\]'\"«»-])*$",
    _FLAGS,
)
_TIME_SUFFIX = re.compile(rf"(?:{_WS}|,|à|T)*\d{{1,2}}(?:[:h]\d{{2}}(?::\d{{2}})?|h)\s*$", _FLAGS)


def _parse_iso_like(s: str, offset: int = 0) -> DateMention | None:
    """ "2020-09-17", "2020-09", "2020", "20200917", "D:2020...", ISO datetimes."""
    m = _ISO_LIKE.match(s)
    if not m:
        return None
    y, mo, d = int(m.group("y")), m.group("m"), m.group("d")
    if not EXPLICIT_YEAR_MIN <= y <= EXPLICIT_YEAR_MAX:
        return None
    end = offset + len(s)
    if mo is None:
        return DateMention(_iso(y), "year", offset, end, s)
    if not 1 <= int(mo) <= 12:
        return None
    if d is None:
        return DateMention(_iso(y, int(mo)), "month", offset, end, s)
    day = _valid_day(y, int(mo), int(d))
    return DateMention(day.isoformat(), "day", offset, end, s) if day else None


def parse_date(s: str) -> DateMention | None:
    """Parse one whole string (sidecar value, file name part) as a date."""
    if not s or not s.strip():
        return None
    lead = len(s) - len(s.lstrip())
    raw = s.strip()
    found = _parse_iso_like(raw, lead)
    if found:
        return found
    body = _TIME_SUFFIX.sub("", raw) if re.search(r"\d{4}", raw) else raw
    mentions = find_dates(body)
    if len(mentions) != 1:
        return None
    m = mentions[0]
    if not _FILLER.match(body[: m.start] + " " + body[m.end :]):
        return None
    context = " ".join(raw.split())
    return replace(m, start=m.start + lead, end=m.end + lead, context=context)


# --------------------------------------------------------------------------
# Document date
# --------------------------------------------------------------------------


def _own_line(text: str, m: DateMention) -> bool:
    """The mention fills its line (apart from "le" and punctuation)."""
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[line_start : m.start] + " " + text[m.end : line_end]
    return bool(_FILLER.match(rest))


def _after_place(text: str, m: DateMention) -> bool:
    """ "Paris, le 3 mars 2021" at the start of a line or of a dash-separated part of it."""
    line = text[text.rfind("\n", 0, m.start) + 1 : m.start]
    return bool(_PLACE_CUE.fullmatch(_SEGMENT_SEP.split(line)[-1]))


def _segment(text: str, m: DateMention) -> tuple[str, str]:
    """The text around the mention within its dash-separated part of the line."""
    before, after = _line_rest(text, m)
    return _SEGMENT_SEP.split(before)[-1], _SEGMENT_SEP.split(after)[0]


def _segment_dateline(text: str, m: DateMention) -> bool:
    """The mention fills a dash-separated part of its line, with at most one word (« Édition
    2024 », « Novembre 2024 », « Septembre 2014 »), no clock time."""
    line_before, line_after = _line_rest(text, m)
    if not _SEGMENT_SEP.search(line_before + " " + line_after):
        return False
    before, after = _segment(text, m)
    if _CLOCK.search(before + " " + after) or _DEADLINE.search(before):
        return False
    words = [w.lower() for w in _HEADER_WORD.findall(before + " " + after)]
    if m.precision == "year":
        return all(w in _EDITION_WORDS for w in words) and len(words) <= 1
    return len(words) <= (0 if m.precision == "day" else 1)


_EDITION_WORDS = frozenset({"édition", "edition", "année", "millésime", "exercice", "rapport", "bilan"})


def _line_rest(text: str, m: DateMention) -> tuple[str, str]:
    """The text of the mention's line before and after it."""
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    return text[line_start : m.start], text[m.end : line_end]


def _dateline(text: str, m: DateMention) -> bool:
    """A short line made of the date and a few words (« Palais de l'Élysée – Mardi 12 octobre
    2021 », « Réunion du 12 février 2019 », « N° 84 – Octobre 2015 »), no clock time, no deadline.
    Day dates allow four words around them, months two, a bare year none."""
    before, after = _line_rest(text, m)
    if _CLOCK.search(before + " " + after) or _DEADLINE.search(before):
        return False
    words = len(_HEADER_WORD.findall(before + " " + after))
    limit = {"day": HEADER_MAX_WORDS, "month": 2, "year": 0}[m.precision]
    return words <= limit and not m.end_value if m.precision == "year" else words <= limit


def _official_date(text: str, hits: list[_Hit]) -> DateMention | None:
    """The date in the title of a law, decree or order (« Décret n° … du 4 août 2022 »),
    not the Journal officiel's line above it."""
    top = len(text) - len(text.lstrip()) + HEADER_CHARS
    for hit in hits:
        m = hit.mention
        if m.start > top:
            break
        if m.precision == "day" and _OFFICIAL_TITLE.search(_line_rest(text, m)[0]) and _recent(m):
            return m
    return None


def _recent(m: DateMention) -> bool:
    """Late enough to be a document's own date: a header naming « la Constitution du 4 octobre
    1958 » or « la loi du 1er juillet 1901 » cites an old text; it does not date this one."""
    return int(m.value[:4]) >= BARE_YEAR_MIN


def _header_date(text: str, hits: list[_Hit]) -> DateMention | None:
    """A dated title or dateline near the top: an official text's date, else the first date
    alone on its line, after a place (« Paris, le … ») or on a short dateline."""
    official = _official_date(text, hits)
    if official:
        return official
    top = len(text) - len(text.lstrip()) + HEADER_CHARS
    for hit in hits:
        m = hit.mention
        if m.start > top:
            break
        if not _recent(m):
            continue
        if m.precision == "day" and (_own_line(text, m) or _after_place(text, m)):
            return m
        if _dateline(text, m) and not _year_list(text, m):
            return m
        if _segment_dateline(text, m) and not _year_list(text, m):
            return m
    return None


def _year_list(text: str, m: DateMention) -> bool:
    """« 2011 2012 2013 2014 »: a site's archive menu, not a date (neighbouring bare years)."""
    if m.precision != "year":
        return False
    before, after = text[max(0, m.start - 6) : m.start], text[m.end : m.end + 6]
    if re.search(r"(?:19|20)\d\d[ \t]+$", before) or re.match(r"[ \t]+(?:19|20)\d\d(?!\d)", after):
        return True
    # one year per line: « 2011\n2012\n2013 »
    before, after = text[max(0, m.start - 8) : m.start], text[m.end : m.end + 8]
    return bool(re.search(r"(?:^|\n)[ \t]*(?:19|20)\d\d[ \t]*\n\s*$", before)) or bool(
        re.match(r"\s*\n[ \t]*(?:19|20)\d\d[ \t]*(?:\n|$)", after)
    )


def _publication_date(text: str, hits: list[_Hit]) -> DateMention | None:
    """A date after "publié le", "communiqué du", "Paris, le", on a byline, or a dateline
    in the last lines (« Florange, le 10 décembre 2012 », « Avril 2021 »); an update
    (« mis à jour le ») only when nothing else dates the text."""
    update = None
    for hit in hits:
        m = hit.mention
        if m.precision == "year":
            continue
        before = text[max(0, m.start - 60) : m.start]
        line_before = _line_rest(text, m)[0]
        if _UPDATE_CUE.search(before[-25:]):
            update = update or m
            continue
        if _PUBLICATION_CUE.search(before) or _after_place(text, m) or _BYLINE.match(line_before):
            return m
    footer = _footer_date(text, hits)
    return footer or update


_BYLINE = re.compile(r"^\s*(?:par|by|von)\s", re.IGNORECASE)


def _footer_date(text: str, hits: list[_Hit]) -> DateMention | None:
    """A month dateline among the last lines (« Avril 2021 », « Note n° 14 – janvier 2024 »)."""
    end = len(text.rstrip())
    for hit in reversed(hits):
        m = hit.mention
        if m.start < end - FOOTER_CHARS:
            break
        if m.precision != "month" or m.end_value:
            continue  # a day at the foot is an invitation's event, unless after a place (above)
        if _own_line(text, m) or _segment_dateline(text, m) or _dateline(text, m):
            return m
    return None


def _event_score(text: str, hit: _Hit, repeats: int, in_title: bool) -> float:
    """How prominent a date is: repeats, weekday, event wording, position."""
    m = hit.mention
    before = text[max(0, m.start - 80) : m.start]
    score = 2.0 * repeats + (3.0 if in_title else 0.0)
    score += 1.5 if hit.weekday is not None else 0.0
    score += 1.0 if m.end_value else 0.0
    score += 2.0 if _EVENT_CUE.search(before) else 0.0
    score -= 2.0 if _PAST_CUE.search(before[-40:]) else 0.0
    score += 1.5 * (1.0 - m.start / max(len(text), 1))
    return score


def _most_prominent(text: str, pool: list[_Hit], title_values: set[str]) -> _Hit:
    """The hit with the best event score."""
    counts = Counter(h.mention.value for h in pool)

    def score(h: _Hit) -> float:
        value = h.mention.value
        return _event_score(text, h, counts[value], value in title_values)

    return max(pool, key=score)


def _event_date(text: str, hits: list[_Hit], title_hits: list[_Hit]) -> DateMention | None:
    """The most prominent explicit date, day precision first, then month, year; dates of old
    texts the document cites (``_recent``) only when it has no other."""
    title_values = {h.mention.value for h in title_hits}
    recent = [h for h in hits if _recent(h.mention)]
    hits = recent or hits
    for precision in ("day", "month", "year"):
        pool = [h for h in hits if h.mention.precision == precision]
        if pool:
            return _most_prominent(text, pool, title_values).mention
        in_title = [h for h in title_hits if h.mention.precision == precision]
        if in_title:
            return in_title[0].mention
    return None


def _result(m: DateMention | None, source: str) -> DocumentDate:
    """Wrap a mention into a DocumentDate."""
    if m is None:
        return DocumentDate(None, None, source="none", in_range=False)
    in_range = in_period(int(m.value[:4]))
    return DocumentDate(m.value, m.precision, source=source, in_range=in_range)


def _explicit_hits(text: str) -> list[_Hit]:
    """Hits whose year is written in the text."""
    return [h for h in _scan(text) if h.explicit] if text else []


# A written question and its answer (« Question écrite n° … publiée dans le JO Sénat du 05/08/2021 »,
# then « Réponse du Ministère … publiée dans le JO Sénat du 10/02/2022 »): the text is complete, and
# dated, when the answer is published.
_ANSWER_PUBLISHED = re.compile(
    r"\bR[ée]ponse\b[^\n]{0,200}(?:\n[^\n]{0,200}){0,3}?\n?[^\n]{0,40}\bpubli[ée]e?\s+(?:au|dans le)\s+JO\b[^\n]{0,40}?\bdu\s+$"
)


def _answer_date(text: str, hits: list[_Hit]) -> DateMention | None:
    """The publication date of the answer to a written question, when the text has one."""
    for hit in hits:
        m = hit.mention
        if m.precision == "day" and _ANSWER_PUBLISHED.search(text[max(0, m.start - 500) : m.start]):
            return m
    return None


def _stated_date(text: str, title: str) -> tuple[DateMention | None, str]:
    """Header or publication date written in the document itself."""
    hits = _explicit_hits(text)
    answer = _answer_date(text, hits)
    if answer:
        return answer, "publication"
    header = _header_date(text, hits)
    if header:
        return header, "header"
    title_hits = _explicit_hits(title)
    pub = _publication_date(text, hits) or _publication_date(title, title_hits)
    return pub, "publication"


def _text_date(text: str, title: str = "") -> DateMention | None:
    """Header, publication or event date read from the text alone."""
    found, _ = _stated_date(text, title)
    if found:
        return found
    return _event_date(text, _explicit_hits(text), _explicit_hits(title))


_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})?(\d{2})?(\d{2})?(\d{2})?")
_PDF_DEFAULTS = {"1970-01-01", "1980-01-01", "1999-12-31", "2000-01-01", "2001-01-01"}


def _pdf_date(pdf_date: str | None) -> DateMention | None:
    """A PDF CreationDate ("D:20200917...") when plausible."""
    if not pdf_date or not pdf_date.strip():
        return None
    raw = pdf_date.strip()
    m = _PDF_DATE.match(raw)
    found = None
    if m and m.group(3):
        found = _valid_day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif (parsed := parse_date(raw)) and parsed.precision == "day":
        found = date.fromisoformat(parsed.value)
    if not found or not PDF_YEAR_MIN <= found.year <= PDF_YEAR_MAX:
        return None
    clock = "".join(g or "00" for g in m.groups()[3:]) if m else "000000"
    new_year_midnight = found.month == found.day == 1 and clock == "000000"
    if found.isoformat() in _PDF_DEFAULTS or new_year_midnight:
        return None
    return DateMention(found.isoformat(), "day", 0, len(raw), raw)


_HASH_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_FILE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})(?!\d)"), "ym"),
)


def _file_match_date(m: re.Match[str], kind: str) -> DateMention | None:
    """Turn one file-name pattern match into a mention, if valid."""
    g = [int(x) for x in m.groups()]
    d: int | None
    if kind == "ymd":
        y, mo, d = g
    elif kind == "dmy":
        d, mo, y = g
    else:
        (y, mo), d = g, None
    if not BARE_YEAR_MIN <= y <= BARE_YEAR_MAX or not 1 <= mo <= 12:
        return None
    if d is None:
        return DateMention(_iso(y, mo), "month", m.start(), m.end(), m.string)
    day = _valid_day(y, mo, d)
    if day is None:
        return None
    return DateMention(day.isoformat(), "day", m.start(), m.end(), m.string)


def _file_name_date(file_name: str) -> DateMention | None:
    """A date in a file name: 2020-09-17_cp.pdf, cp_20200917.pdf, 2011_x.txt."""
    stem = re.sub(r"(?:\.[A-Za-z][A-Za-z0-9]{0,4})+$", "", os.path.basename(file_name))
    stem = _HASH_TOKEN.sub(lambda m: " " * len(m.group(0)), stem)
    for pattern, kind in _FILE_PATTERNS:
        for m in pattern.finditer(stem):
            found = _file_match_date(m, kind)
            if found:
                return found
    words = re.sub(r"[_\-.]+", " ", stem)
    words = re.sub(r"(?<=[^\W\d_])(?=\d{4}(?!\d))", " ", words)  # « avril2021 » → « avril 2021 »
    textual = [m for m in find_dates(words) if m.precision != "year"]
    if textual:
        return replace(textual[0], context=stem)
    for m in re.finditer(r"(?<!\d)(\d{4})(?!\d)", stem):
        if BARE_YEAR_MIN <= int(m.group(1)) <= BARE_YEAR_MAX:
            return DateMention(m.group(1), "year", m.start(), m.end(), stem)
    return None


CONVERSION_DAYS = 3  # a metadata date this close to the file's mtime or the indexing day is a conversion date


def document_date(
    text: str,
    *,
    title: str = "",
    file_name: str = "",
    pdf_date: str | None = None,
    sidecar: str | None = None,
    meta_source: str = "pdf",
    conversion_days: Iterable[date] = (),
) -> DocumentDate:
    """Pick the document date: sidecar, header, publication, file name, event, then the
    file's metadata date (``pdf_date``: PDF CreationDate, DOCX/ODT created, HTML <meta>).

    The text comes first: researchers save web pages and mails with « Imprimer en PDF », so
    a file's metadata says when the file was made. It is used only when the text has no date
    at all, with ``meta_source`` as its rule, and never when it falls within CONVERSION_DAYS
    of one of ``conversion_days`` (the file's modification day, the indexing day).
    """
    text = text or ""
    side = parse_date(sidecar) if sidecar else None
    if side:
        return _result(side, "sidecar")
    stated, source = _stated_date(text, title)
    if stated:
        return _result(stated, source)
    from_name = _file_name_date(file_name) if file_name else None
    event = _event_date(text, _explicit_hits(text), _explicit_hits(title)) or _inferred_event(text)
    if from_name:
        # « rapport_2013.pdf » whose text says « juillet 2013 »: keep the precision the text gives.
        if event and event.value.startswith(from_name.value + "-"):
            return _result(event, "event")
        return _result(from_name, "filename")
    if event:
        return _result(event, "event")
    meta = _pdf_date(pdf_date)
    if meta and not _conversion_date(meta.value, conversion_days):
        return _result(meta, meta_source)
    return _result(None, "none")


def _conversion_date(value: str, days: Iterable[date]) -> bool:
    """True when ``value`` (a day) is within CONVERSION_DAYS of one of ``days``."""
    found = date.fromisoformat(value)
    return any(abs((found - d).days) <= CONVERSION_DAYS for d in days)


def _inferred_event(text: str) -> DateMention | None:
    """When no date of the text has its year written: a weekday date whose year the text
    settles (« Vendredi 17 novembre » and « 2023 » in the footer), the most repeated first."""
    found = [m for m in find_dates(text) if m.precision == "day"] if text else []
    if not found:
        return None
    counts = Counter(m.value for m in found)
    return max(found, key=lambda m: (counts[m.value], -m.start))


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------


def events(text: str, limit: int = 20) -> list[DateMention]:
    """Dated events mentioned in a text: day/month ones first, one per value."""
    mentions = find_dates(text)
    chosen: list[DateMention] = []
    seen: set[tuple[str, str | None]] = set()
    for wanted in (("day", "month"), ("year",)):
        for m in mentions:
            key = (m.value, m.end_value)
            if m.precision in wanted and key not in seen and len(chosen) < limit:
                seen.add(key)
                chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)
