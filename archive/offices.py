"""Offices named by title, resolved to the person who held them on the document's date.

« le président de la République », « le Premier ministre », « le ministre de l'Économie »
or « de l'Industrie » in a document dated 2013 name François Hollande, Jean-Marc Ayrault,
Pierre Moscovici, Arnaud Montebourg: the dated table is ``archive/vocab/offices.yaml``.
A title is read as a person only in a person's wording (« le ministre », « la Première
ministre », « M. le ministre »), not « l'ancien ministre », « un futur Premier ministre »
or « les ministres ».
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from archive import gazetteer

__all__ = ["OfficeMention", "holder", "mentions", "office_keys"]


@dataclass(frozen=True)
class Term:
    name: str
    start: date
    end: date | None
    title: str


@dataclass(frozen=True)
class Office:
    key: str
    label: str
    pattern: re.Pattern[str]
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class OfficeMention:
    """An office named in a text (offsets of the NFKC-normalised text) and its holder."""

    office: str
    start: int
    end: int
    surface: str
    holder: str | None
    named: bool = False  # the text names the person right after the title


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def clear_cache() -> None:
    """Forget the table read from offices.yaml (read again at next use)."""
    _offices.cache_clear()


@lru_cache(maxsize=1)
def _offices() -> tuple[Office, ...]:
    items = gazetteer._load_yaml("offices.yaml") or []
    out = []
    for item in items:
        terms = tuple(
            Term(t["name"], _day(t["from"]), _day(t.get("to")), str(t.get("title") or item["label"]))
            for t in item["holders"]
        )
        # A space of a phrase matches any run of blanks: a PDF wraps « président de\nla République ».
        phrases = (phrase.replace(" ", r"\s+") for phrase in item["phrases"])
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)")
        out.append(Office(item["key"], item["label"], pattern, terms))
    return tuple(out)


def office_keys() -> list[str]:
    return [o.key for o in _offices()]


def holder(office: str, when: date, until: date | None = None) -> str | None:
    """The person holding ``office`` (a key of offices.yaml) on ``when``, None if nobody;
    with ``until``, the one person who held it from ``when`` to ``until``, None if it changed
    hands in between (a document dated « 2024 » names no one Prime Minister)."""
    if until is not None and until != when:
        first, last = holder(office, when), holder(office, until)
        if first != last:
            return None
        return first if all(holder(office, d) == first for d in _months_between(when, until)) else None
    for o in _offices():
        if o.key == office:
            for term in o.terms:
                if term.start <= when and (term.end is None or when < term.end):
                    return term.name
            # the last day of a term (a hand-over day) still belongs to the outgoing holder
            for term in o.terms:
                if term.end == when:
                    return term.name
    return None


def _months_between(start: date, end: date) -> list[date]:
    out, y, m = [], start.year, start.month
    while (y, m) < (end.year, end.month):
        m, y = (1, y + 1) if m == 12 else (m + 1, y)
        out.append(date(y, m, 1))
    return out


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]`` (between full stops or blank lines)."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n\n", 0, start))
    right = min((i for i in (text.find(". ", end), text.find("\n\n", end)) if i >= 0), default=len(text))
    return text[left + 1 : right]


def period(value: str | None) -> tuple[date, date] | None:
    """First and last day of an ISO date of any precision (« 2020-09 »: the month)."""
    if not value:
        return None
    parts = value.split("-")
    try:
        if len(parts) == 3:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            return day, day
        if len(parts) == 2:
            y, m = int(parts[0]), int(parts[1])
            last = date(y + (m == 12), m % 12 + 1, 1).toordinal() - 1
            return date(y, m, 1), date.fromordinal(last)
        y = int(parts[0])
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None


# A person's wording before the title: an article, « M. le », « Madame la »...
_PERSON_BEFORE = re.compile(
    r"(?:^|[^\w'])(?:le|la|l'|du|au|par le|par la|a la|m\. le|mme la|monsieur le|madame la|the|france's)\s*"
    r"(?:nouveau\s+|nouvelle\s+|new\s+)?$"
)
# Not the holder at the document's date: a former, future or would-be holder, or a plural (« le
# nouveau ministre » is the one in office).
_NOT_HOLDER_BEFORE = re.compile(
    r"(?:ancien|ancienne|ex|futur|future|prochain|prochaine|candidat|candidate|premier|"
    r"successeur|successeure|predecesseur|d'un|d'une|un|une|les|des|aux)\s*(?:le |la |l')?$"
    # « la secrétaire d'État auprès du ministre de l'Économie »: the title of another office.
    r"|\baupres (?:du|de la|de l')\s*$"
)
# … nor a holder of another time: « le ministre de l'Économie de l'époque, Arnaud Montebourg ».
_NOT_HOLDER_AFTER = re.compile(r"[ \t\u00a0]*(?:de l'epoque|d'alors|a l'epoque|at the time)\b")


_NAME_AFTER = re.compile(r"[ \t\u00a0]*,?[ \t\u00a0]*(?:M\.|Mme)?[ \t\u00a0]*[A-ZÀ-Ý][a-zà-ÿ]")


def mentions(text: str, when: str | None, date_in: Callable[[str], str | None] | None = None) -> list[OfficeMention]:
    """Offices of ``text`` named in a person's wording, each with its holder on ``when``
    (the document's ISO date; no holder when the date is unknown or the office vacant).
    ``date_in``: the ISO date a sentence states, if any: an office named in a sentence that
    dates its own event (« Lancé par le Premier ministre le 22 novembre 2018 ») is its holder
    on that date, not on the document's."""
    prepared = gazetteer._prepare(text)
    folded = gazetteer._align(prepared)
    span = period(when)
    out: list[OfficeMention] = []
    for office in _offices():
        for m in office.pattern.finditer(folded):
            before = gazetteer._key(folded[max(0, m.start() - 30) : m.start()] + "\x00")[:-1].rstrip()
            before = before + " " if before else ""
            if not _PERSON_BEFORE.search(before) or _NOT_HOLDER_BEFORE.search(before.rstrip()):
                continue
            if _NOT_HOLDER_AFTER.match(folded, m.end()):
                continue
            own = period(date_in(_sentence(prepared, m.start(), m.end()))) if date_in else None
            when_here = own or span
            who = holder(office.key, *when_here) if when_here else None
            named = bool(_NAME_AFTER.match(prepared, m.end()))
            if named:
                who = None  # « le Premier ministre, Jean Castex »: the text names the holder
            out.append(OfficeMention(office.key, m.start(), m.end(), prepared[m.start() : m.end()], who, named))
    return sorted(out, key=lambda x: x.start)
