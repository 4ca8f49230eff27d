"""Programmes and schemes (« dispositifs »): France 2030, France Relance, the PIA…

They live in ``archive/vocab/schemes.yaml`` and have their own facet: a scheme is what
the State runs, not an actor that speaks or acts. Matching uses the gazetteer's folded,
case-checked trie regex (see archive.gazetteer).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from archive import gazetteer as g
from archive.gazetteer import actor_gazetteer, files, matching


@dataclass(frozen=True)
class Scheme:
    """A programme with the years it ran (``end`` None: still running)."""

    name: str
    start: int | None
    end: int | None
    aliases: tuple[str, ...]
    note: str = ""

    @property
    def years(self) -> str:
        """« 2021– », « 2020–2022 »."""
        if self.start is None:
            return ""
        return f"{self.start}–{self.end}" if self.end else f"{self.start}–"

    def covers(self, year: int | None) -> bool:
        """Whether a document of this year may mean this scheme by a generic phrase."""
        if year is None or self.start is None:
            return False
        return self.start <= year <= (self.end if self.end is not None else 9999)


@dataclass
class _SchemeGazetteer:
    schemes: dict[str, Scheme]
    entries: dict[str, matching._Entry]
    dated: frozenset[str]  # keys that count only in a document dated within the scheme's years
    regex: Any


def _year(value: Any, name: str, key: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"schemes.yaml: {key} of {name!r} is not a year: {value!r}") from None


def _build(items: list[dict[str, Any]]) -> _SchemeGazetteer:
    schemes: dict[str, Scheme] = {}
    entries: dict[str, matching._Entry] = {}
    dated: set[str] = set()
    for item in items:
        name = item.get("name")
        if not name:
            raise ValueError(f"schemes.yaml: entry without a name {item!r}")
        if name in schemes:
            raise ValueError(f"schemes.yaml: duplicate scheme {name!r}")
        aliases = tuple(dict.fromkeys(str(a) for a in item.get("aliases") or []))
        start, end = _year(item.get("from"), name, "from"), _year(item.get("to"), name, "to")
        schemes[name] = Scheme(name, start, end, aliases, str(item.get("note") or ""))
        vetoes = actor_gazetteer._context_vetoes(item)
        cased = [str(a) for a in item.get("case_sensitive") or []]
        for alias in (name, *aliases):
            if alias not in cased:
                matching._add_entry(entries, alias, matching._Entry(name, **vetoes), "schemes.yaml")
        for alias in cased:
            matching._add_entry(
                entries, alias, matching._Entry(name, frozenset({matching._case_key(alias)}), **vetoes), "schemes.yaml"
            )
        for alias in item.get("dated_aliases") or []:
            key = matching._norm(str(alias))
            if key not in entries:
                matching._add_entry(entries, str(alias), matching._Entry(name, **vetoes), "schemes.yaml")
                dated.add(key)
    return _SchemeGazetteer(schemes, entries, frozenset(dated), matching._compile(entries))


def _gazetteer() -> _SchemeGazetteer:
    path = files.vocab_file("schemes.yaml")
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _gazetteer_at(str(path), stamp)


@lru_cache(maxsize=2)
def _gazetteer_at(path: str, stamp: int) -> _SchemeGazetteer:
    if not stamp:  # a lab's vocabulary folder without schemes: no scheme
        return _build([])
    with open(path, encoding="utf-8") as handle:
        return _build(files._safe_load(handle) or [])


def schemes() -> list[Scheme]:
    """Every scheme, in file order."""
    return list(_gazetteer().schemes.values())


def scheme(name: str) -> Scheme | None:
    """The scheme of a canonical name or alias, None if unknown."""
    gaz = _gazetteer()
    if name in gaz.schemes:
        return gaz.schemes[name]
    entry = gaz.entries.get(matching._norm(name))
    return gaz.schemes.get(entry.value) if entry and matching._norm(name) not in gaz.dated else None


def scheme_for_alias(phrase: str) -> str | None:
    """Canonical scheme name for an exact name or alias (not a dated generic phrase)."""
    found = scheme(phrase)
    return found.name if found else None


def match_schemes(text: str, year: int | None = None) -> list[g.Match]:
    """Schemes named in ``text``, by first occurrence, with the phrases that named them.

    A generic phrase (« plan de relance ») names a scheme only when ``year``, the
    document's year, falls within the scheme's years; a scheme that ended before that year
    counts only when named at least twice.
    """
    gaz = _gazetteer()
    prepared, folded = matching._read(text)
    found: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for m in gaz.regex.finditer(folded):
        key = g._key(m.group())
        entry = gaz.entries.get(key)
        if entry is None:
            continue
        if key in gaz.dated and not gaz.schemes[entry.value].covers(year):
            continue
        if not matching._written_ok(entry, prepared, m.start(), m.end(), folded):
            continue
        counts[entry.value] = counts.get(entry.value, 0) + 1
        surface = matching._surface(prepared, m.start(), m.end())
        evidence = found.setdefault(entry.value, [])
        if surface not in evidence:
            evidence.append(surface)
    # A scheme over before the document's year and named once is recalled history
    # (« avait bénéficié de France Relance en 2020 »), not a scheme the document is about.
    recalled = {
        name
        for name, count in counts.items()
        if count == 1 and year is not None and (end := gaz.schemes[name].end) is not None and year > end
    }
    return [g.Match(name, tuple(ev)) for name, ev in found.items() if name not in recalled]


def clear_cache() -> None:
    _gazetteer_at.cache_clear()
