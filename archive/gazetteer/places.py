"""The place gazetteer (regions, departments, towns), its matcher and the roll-up of towns into
departments and regions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from archive.gazetteer.actor_gazetteer import _context_vetoes, actor_for_alias
from archive.gazetteer.files import _load_yaml
from archive.gazetteer.matching import _add_entry, _case_key, _compile, _Entry, _key, _norm, _read, _written_ok

PLACE_KINDS = ("région", "département", "commune")


@dataclass(frozen=True)
class Place:
    """A region, department or town, with its department and region when known."""

    name: str
    kind: str
    department: str | None = None
    region: str | None = None


# ---------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------


_NOT_A_PLACE = ""  # value of the phrases that contain a place name without naming it


@dataclass
class _PlaceGazetteer:
    places: dict[str, Place]
    entries: dict[str, _Entry]
    regex: re.Pattern[str]


def _generated_aliases(name: str) -> list[str]:
    """« au Havre », « du Mans » for towns named with Le/Les; « St-Étienne » for Saint-."""
    out: list[str] = []
    for article, forms in (("Le ", ("au ", "du ")), ("Les ", ("aux ", "des "))):
        if name.startswith(article):
            out += [form + name[len(article) :] for form in forms]
    for saint, short in (("Saint-", "St-"), ("Sainte-", "Ste-")):
        out += [name.replace(saint, short)] if saint in name else []
    return out


def _place_entries(item: dict[str, Any], name: str, entries: dict[str, _Entry]) -> None:
    cased = bool(item.get("case_sensitive"))
    strict = bool(item.get("strict"))
    extra = _context_vetoes(item) | {"locative": bool(item.get("locative"))}
    aliases = [name, *(item.get("aliases") or []), *_generated_aliases(name)]
    cased_aliases = {str(a) for a in item.get("case_sensitive_aliases") or []}
    for alias in (*aliases, *cased_aliases):
        alias = str(alias)
        if cased or strict or alias in cased_aliases:
            entry = _Entry(name, frozenset({_case_key(alias)}), strict, **extra)
        else:
            entry = _Entry(name, **extra)
        _add_entry(entries, alias, entry, "places.yaml")


def _register_places(data: dict[str, Any]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    region_names = {r["name"] for r in data["regions"]}
    dept_region = {d["name"]: d["region"] for d in data["departments"]}
    for dept, region in dept_region.items():
        if region not in region_names:
            raise ValueError(f"places.yaml: department {dept!r} in unknown region {region!r}")
        places[dept] = Place(dept, "département", dept, region)
    for town in data["towns"]:
        dept = town["department"]
        if dept not in dept_region:
            raise ValueError(f"places.yaml: town {town['name']!r} in unknown department {dept!r}")
        places[town["name"]] = Place(town["name"], "commune", dept, dept_region[dept])
    for name in region_names:
        places[name] = Place(name, "région", name if name in dept_region else None, name)
    return places


@lru_cache(maxsize=1)
def _place_gazetteer() -> _PlaceGazetteer:
    data = _load_yaml("places.yaml")
    places = _register_places(data)
    entries: dict[str, _Entry] = {}
    for group in ("regions", "departments", "towns"):
        for item in data[group]:
            _place_entries(item, item["name"], entries)
    for phrase in data.get("not_places") or []:
        _add_entry(entries, str(phrase), _Entry(_NOT_A_PLACE), "places.yaml")
    return _PlaceGazetteer(places=places, entries=entries, regex=_compile(entries))


def place_names() -> list[str]:
    """Canonical names of every region, department and town."""
    return list(_place_gazetteer().places)


def place_info(name: str) -> Place | None:
    """The place of a canonical name or alias (folded), None if unknown."""
    gaz = _place_gazetteer()
    if name in gaz.places:
        return gaz.places[name]
    entry = gaz.entries.get(_norm(name))
    return gaz.places.get(entry.value) if entry else None


def match_places(text: str, skip: Iterable[tuple[int, int]] = ()) -> list[Place]:
    """Regions, departments and towns named in ``text``, by first occurrence, deduplicated.

    ``skip``: spans (of the NFKC-normalised text) whose place names do not count, such as
    company names (« Ford Aquitaine Industries » names no region). Phrases listed under
    ``not_places`` in places.yaml (« accord de Paris ») name no place either.
    """
    gaz = _place_gazetteer()
    prepared, folded = _read(text)
    skipped = sorted(skip)
    seen: dict[str, Place] = {}
    for m in gaz.regex.finditer(folded):
        entry = gaz.entries.get(_key(m.group()))
        if entry is None or entry.value == _NOT_A_PLACE or entry.value in seen:
            continue
        if any(s <= m.start() and m.end() <= e for s, e in skipped):
            continue
        if not _written_ok(entry, prepared, m.start(), m.end(), folded):
            continue
        if _inside_a_name(entry.value, prepared, folded, m.start(), m.end()):
            continue
        seen[entry.value] = gaz.places[entry.value]
    for town, start, end in _towns_with_department(prepared):
        if town.name not in seen and not any(s <= start and end <= e for s, e in skipped):
            seen[town.name] = town
    return list(seen.values())


# « Saulxures-sur-Moselotte (Vosges) », « Torcy (Saône-et-Loire) », « Le Tréport (Seine-Maritime) »: a
# town the gazetteer does not list, placed by the department the text gives it in brackets.
_TOWN_WITH_DEPARTMENT = re.compile(
    r"(?<![\w'’-])(?P<town>(?:(?:Le|La|Les)[ \u00a0]|L['’])?[A-ZÀ-Ý][\w'’]*(?:-(?:[a-zà-ÿ]{1,4}-)*[A-ZÀ-Ý][\w'’]*)*)"
    r"[ \u00a0]+\((?P<department>[A-ZÀ-Ý][^()\n]{2,30})\)"
)


def _towns_with_department(prepared: str) -> list[tuple[Place, int, int]]:
    """Towns named with their department in brackets, unknown to the gazetteer and to the actors."""
    out = []
    for m in _TOWN_WITH_DEPARTMENT.finditer(prepared):
        department = place_info(m.group("department").strip())
        town = m.group("town")
        if department is None or department.kind != "département" or place_info(town) or actor_for_alias(town):
            continue
        out.append((Place(town, "commune", department.name, department.region), m.start("town"), m.end("town")))
    return out


# « loi Florange », « amendement Alès »: a text named after a town does not name the town.
_NAMED_AFTER = re.compile(r"(?:^|[^\w'])(?:loi|lois|amendement|amendements|loi dite|dispositif|decret)\s*$")
# « Nord Isère », « Nord-Franche-Comté »: an area whose name begins with a compass point.
_COMPASS = frozenset({"Nord"})
_CAPITAL_NEXT = re.compile(r"[ \u00a0-]+[A-ZÀ-Ý][\w'’-]")


def _inside_a_name(value: str, prepared: str, folded: str, start: int, end: int) -> bool:
    """The place only lends its name to a law or to a wider area."""
    before = _key(folded[max(0, start - 25) : start] + "\x00")[:-1].rstrip()
    if _NAMED_AFTER.search(before + " "):
        return True
    return value in _COMPASS and bool(_CAPITAL_NEXT.match(prepared, end))


def roll_up(names: Iterable[str], found: Iterable[Place] = ()) -> list[str]:
    """Places followed by the department and region of each, deduplicated, in that order:
    ``["Pont-de-Claix"]`` → ``["Pont-de-Claix", "Isère", "Auvergne-Rhône-Alpes"]``. Unknown
    names are kept as they are. This is what the place facet indexes, so that a search on a
    department or region also finds the documents that only name one of its towns."""
    out: dict[str, None] = {}
    placed = {place.name: place for place in found}  # towns placed by the text (« Torcy (Saône-et-Loire) »)
    for name in names:
        out[name] = None
        info = place_info(name) or placed.get(name)
        if info is not None:
            for parent in (info.department, info.region):
                if parent:
                    out[parent] = None
    return list(out)
