"""The actor gazetteer: canonical actors and their aliases, researchers' decisions on detected
actors, confederations and their members, and the actor matcher.

Size: about 530 lines, kept together because the compiled gazetteer, the decisions that change
it and the matcher that reads it share the private `_ActorGazetteer` and `_Found` types.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from archive.gazetteer.files import _file_lock, _safe_load, vocab_dir, vocab_file
from archive.gazetteer.matching import (
    _SPACED_DASH,
    Match,
    _add_entry,
    _case_key,
    _compile,
    _Entry,
    _key,
    _norm,
    _read,
    _surface,
    _written_ok,
)
from archive.text import LEADING_ARTICLE, fold_name

ACTOR_KINDS = (
    "État et ministères",
    "agences et opérateurs",
    "collectivités",
    "syndicats",
    "organisations patronales",
    "entreprises",
    "personnalités",
)


@dataclass(frozen=True)
class Actor:
    """A canonical actor of industrial policy."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    surname: str | None = None


# ---------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------

_TITLES_BEFORE = re.compile(
    r"(?:^|[^\w])(?:m|mm|mme|mmes|mlle|monsieur|madame|ministre|president|presidente|"
    r"secretaire generale?|secretaire d'etat|directeur|directrice|depute|deputee|senateur|"
    r"senatrice|maire|pdg|patron|patronne|dirigeant|dirigeante|chef|leader|commissaire|"
    r"delegue|deleguee|gouverneur|rapport|report|loi|mission|gouvernement)\.?\s+$"
)
# « the Gallois report », « Macron law »: a unique surname followed by these words.
_TITLES_AFTER = re.compile(r"[ \t]+(?:report|law|plan|act)\b")
_TITLE_WORDS = frozenset(
    "m m. mme mme. monsieur madame ministre president presidente directeur directrice pdg premier "
    "premiere secretaire chef maire depute deputee senateur senatrice".split()
)
_PREV_TOKEN = re.compile(r"([\w.]+)[ \t]+$")
_NEXT_TOKEN = re.compile(r"[ \t]+(\w+)")
_WORD = re.compile(r"\w+")


@dataclass
class _ActorGazetteer:
    actors: list[Actor]
    by_name: dict[str, Actor]
    entries: dict[str, _Entry]
    surnames: dict[str, list[str]]
    surname_forms: dict[str, str]
    regex: re.Pattern[str]
    nested: frozenset[str]
    token_entries: dict[str, _Entry]
    offices: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Actor → the actors it belongs to (member_of), direct parents only.
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _actor_from_item(item: dict[str, Any]) -> Actor:
    name, kind = item.get("name"), item.get("kind")
    if not name or kind not in ACTOR_KINDS:
        raise ValueError(f"actors.yaml: bad entry {item!r}")
    aliases = tuple(dict.fromkeys(str(a) for a in item.get("aliases") or []))
    surname = item.get("surname")
    if surname and kind != "personnalités":
        raise ValueError(f"actors.yaml: surname on a non-person {name!r}")
    return Actor(name=name, kind=kind, aliases=aliases, surname=surname)


def _context_vetoes(item: dict[str, Any]) -> dict[str, Any]:
    """``not_after``/``not_before`` of a YAML item as folded phrases."""
    return {
        "not_after": tuple(_norm(str(p)) for p in item.get("not_after") or []),
        "not_before": tuple(_norm(str(p)) for p in item.get("not_before") or []),
    }


def _actor_entries(item: dict[str, Any], actor: Actor, entries: dict[str, _Entry]) -> None:
    cased = [str(a) for a in item.get("case_sensitive") or []]
    strict = bool(item.get("strict"))
    vetoes = _context_vetoes(item)
    for alias in (actor.name, *actor.aliases):
        if alias not in cased:
            entry = _Entry(actor.name, spaced_dash=bool(_SPACED_DASH.search(alias)), **vetoes)
            _add_entry(entries, alias, entry, "actors.yaml")
    for alias in cased:
        entry = _Entry(actor.name, frozenset({_case_key(alias)}), strict, **vetoes)
        _add_entry(entries, alias, entry, "actors.yaml")


def _surname_index(actors_list: list[Actor], entries: dict[str, _Entry]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Folded surname → persons bearing it, and → surname as written (for capitals)."""
    surnames: dict[str, list[str]] = {}
    forms: dict[str, str] = {}
    for actor in actors_list:
        key = _norm(actor.surname) if actor.surname else ""
        if key and key not in entries:
            surnames.setdefault(key, []).append(actor.name)
            forms[key] = actor.surname or ""
    return surnames, forms


# Researchers' decisions on detected actors (confirm, merge, reject), in the gazetteer folder.
DECISIONS_FILE = "detected_decisions.yaml"


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _actor_gazetteer() -> _ActorGazetteer:
    """The compiled actor gazetteer, rebuilt when actors.yaml or the decisions on detected
    actors change on disk (add_actor, a merge, an edit by hand), so that a long-running
    process such as the watcher sees new actors."""
    path, decisions = vocab_file("actors.yaml"), vocab_dir() / DECISIONS_FILE
    return _actor_gazetteer_at(str(path), _stamp(path), str(decisions), _stamp(decisions))


@lru_cache(maxsize=2)
def _actor_gazetteer_at(path: str, stamp: int, decisions: str, decisions_stamp: int) -> _ActorGazetteer:
    with open(path, encoding="utf-8") as handle:
        items = _safe_load(handle) or []
    merges = [d for d in load_decisions(Path(decisions)) if d.get("decision") == "merged"] if decisions_stamp else []
    return _build_actor_gazetteer(items, merges)


def load_decisions(path: Path | None = None) -> list[dict[str, Any]]:
    """The decisions file as a list of {name, decision, into?, kind?, when} ([] when absent)."""
    path = path or vocab_dir() / DECISIONS_FILE
    try:
        with path.open(encoding="utf-8") as handle:
            data = _safe_load(handle) or []
    except FileNotFoundError:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: a list of decisions is expected")
    return [d for d in data if isinstance(d, dict) and d.get("name") and d.get("decision")]


def rejected_names() -> frozenset[str]:
    """Folded names of detected actors a researcher rejected (never proposed again)."""
    return _rejected_at(str(vocab_dir() / DECISIONS_FILE), _stamp(vocab_dir() / DECISIONS_FILE))


@lru_cache(maxsize=2)
def _rejected_at(path: str, stamp: int) -> frozenset[str]:
    if not stamp:
        return frozenset()
    return frozenset(fold_name(str(d["name"])) for d in load_decisions(Path(path)) if d.get("decision") == "rejected")


def _merge_entries(merges: list[dict[str, Any]], by_name: dict[str, Actor], entries: dict[str, _Entry]) -> None:
    """Names merged into an existing actor become its aliases (a stale decision is skipped)."""
    for decision in merges:
        target, alias = str(decision.get("into") or ""), str(decision["name"])
        key = _norm(alias)
        if target in by_name and key and key not in entries:
            entries[key] = _Entry(target, spaced_dash=bool(_SPACED_DASH.search(alias)))


def _build_actor_gazetteer(items: list[dict[str, Any]], merges: list[dict[str, Any]] = ()) -> _ActorGazetteer:
    actors_list: list[Actor] = []
    entries: dict[str, _Entry] = {}
    nested: set[str] = set()
    offices: dict[str, list[dict[str, Any]]] = {}
    parents: dict[str, tuple[str, ...]] = {}
    for item in items:
        actor = _actor_from_item(item)
        actors_list.append(actor)
        _actor_entries(item, actor, entries)
        if item.get("nested"):
            nested.add(actor.name)
        offices[actor.name] = list(item.get("offices") or [])
        member_of = item.get("member_of") or []
        parents[actor.name] = tuple([member_of] if isinstance(member_of, str) else [str(p) for p in member_of])
    by_name = {a.name: a for a in actors_list}
    if len(by_name) != len(actors_list):
        raise ValueError("actors.yaml: duplicate canonical names")
    _check_parents(parents, by_name)
    _merge_entries(list(merges), by_name, entries)
    surnames, forms = _surname_index(actors_list, entries)
    return _ActorGazetteer(
        actors=actors_list,
        by_name=by_name,
        entries=entries,
        surnames=surnames,
        surname_forms=forms,
        regex=_compile([*entries, *surnames]),
        nested=frozenset(nested),
        token_entries={" ".join(_WORD.findall(k)): e for k, e in entries.items()},
        offices=offices,
        parents={k: v for k, v in parents.items() if v},
    )


def _check_parents(parents: dict[str, tuple[str, ...]], by_name: dict[str, Actor]) -> None:
    """Every member_of names a known actor, and no actor ends up inside itself."""
    for name, direct in parents.items():
        for parent in direct:
            if parent not in by_name:
                raise ValueError(f"actors.yaml: {name!r} is member_of an unknown actor {parent!r}")
        seen, todo = set(), list(direct)
        while todo:
            current = todo.pop()
            if current == name:
                raise ValueError(f"actors.yaml: {name!r} is (indirectly) member_of itself")
            if current not in seen:
                seen.add(current)
                todo.extend(parents.get(current, ()))


def actor_parents(name: str, parents: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The actors ``name`` belongs to, nearest first, transitively (FILPAC CGT → [CGT])."""
    parents = _actor_gazetteer().parents if parents is None else parents
    if name not in parents:
        return []
    out: dict[str, None] = {}
    todo = list(parents.get(name, ()))
    while todo:
        current = todo.pop(0)
        if current not in out:
            out[current] = None
            todo.extend(parents.get(current, ()))
    return list(out)


def member_of_table() -> dict[str, tuple[str, ...]]:
    """Actor → the actors it directly belongs to (member_of), for many look-ups at once."""
    return dict(_actor_gazetteer().parents)


def actor_members(name: str) -> list[str]:
    """The actors that belong to ``name``, directly or not (CGT → its federations and unions)."""
    parents = _actor_gazetteer().parents
    return [child for child in parents if name in actor_parents(child, parents)]


def roll_up_actors(names: Iterable[str]) -> list[str]:
    """Actors followed by the actors each belongs to, deduplicated, in that order:
    ``["FILPAC CGT"]`` → ``["FILPAC CGT", "CGT"]``. This is what the actor facet indexes, so that
    filtering on a confederation also finds documents naming only one of its federations."""
    out: dict[str, None] = {}
    parents = _actor_gazetteer().parents
    for name in names:
        out[name] = None
        for parent in actor_parents(name, parents):
            out[parent] = None
    return list(out)


_KIND_SYNONYMS = {"personne": "personnalités", "person": "personnalités"}
_ADD_LOCK = threading.Lock()


def add_actor(name: str, kind: str, aliases: Iterable[str] = (), *, surname: str | None = None) -> Actor:
    """Append a new canonical actor to actors.yaml (« ajouter au gazetteer » in one click).

    ``kind``: one of ACTOR_KINDS (« personne », as named-entity recognition says, stands for
    « personnalités »). A person's surname defaults to the last word of the name, so that a
    bare « Dupont » counts where the gazetteer's rules allow it. Raises ValueError, with a
    message in French, when the name is empty, the kind unknown, or the name or an alias
    already designates another actor. The file is rewritten atomically under a lock and
    checked before it replaces the old one; caches are cleared. Documents already indexed
    get the new actor when they are extracted again (their ids are those of
    ``detected_entities``).
    """
    name = " ".join(str(name).split())
    kind = _KIND_SYNONYMS.get(kind, kind)
    if not name or len(name) > 150:
        raise ValueError("Nom d'acteur vide ou trop long.")
    if kind not in ACTOR_KINDS:
        raise ValueError(f"Catégorie inconnue : « {kind} » (attendu : {', '.join(ACTOR_KINDS)}).")
    clean_aliases = list(dict.fromkeys(" ".join(str(a).split()) for a in aliases))
    clean_aliases = [a for a in clean_aliases if a and _norm(a) != _norm(name)]
    with _ADD_LOCK, _file_lock(vocab_dir() / ".actors.lock"):
        gaz = _actor_gazetteer()
        for phrase in (name, *clean_aliases):
            entry = gaz.entries.get(_norm(phrase))
            if entry is not None:
                raise ValueError(f"« {phrase} » désigne déjà l'acteur « {entry.value} ».")
        item: dict[str, Any] = {"name": name, "kind": kind, "aliases": clean_aliases}
        if kind == "personnalités":
            item["surname"] = surname or name.split()[-1]
        path = vocab_dir() / "actors.yaml"  # a lab folder without one starts from the bundled list
        old_text = vocab_file("actors.yaml").read_text(encoding="utf-8")
        block = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
        stamp = time.strftime("%Y-%m-%d")
        new_text = f"{old_text.rstrip()}\n\n# Ajouté depuis les acteurs détectés le {stamp}\n{block}"
        _build_actor_gazetteer(_safe_load(new_text) or [])  # refuse to write a broken file
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, path)
        clear_actor_caches()
    return _actor_from_item(item)


def candidate_actors(
    documents: Iterable[tuple[str, Iterable[Any]]], limit: int | None = None
) -> list[tuple[str, str, list[str]]]:
    """« Acteurs détectés » across documents: ``[(name, kind, [doc ids])]``, most documents first.

    ``documents``: (document id, its ``detected_entities``). Names are merged ignoring case
    and accents (the most frequent spelling is shown); names that have become gazetteer
    actors or aliases since (add_actor) are left out.
    """
    docs: dict[str, dict[str, None]] = {}
    spellings: dict[str, dict[str, int]] = {}
    kinds: dict[str, dict[str, int]] = {}
    for doc_id, found in documents:
        for item in found or []:
            name = item.get("name") if isinstance(item, dict) else str(item)
            if not name:
                continue
            kind = (item.get("kind") if isinstance(item, dict) else None) or "organisation"
            key = fold_name(name)
            docs.setdefault(key, {})[doc_id] = None
            spellings.setdefault(key, {})
            spellings[key][name] = spellings[key].get(name, 0) + 1
            kinds.setdefault(key, {})
            kinds[key][kind] = kinds[key].get(kind, 0) + 1
    out = []
    rejected = rejected_names()
    for key, ids in docs.items():
        name = max(spellings[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
        if key in rejected or actor_for_alias(name):
            continue
        kind = max(kinds[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
        out.append((name, kind, sorted(ids)))
    out.sort(key=lambda x: (-len(x[2]), fold_name(x[0])))
    return out[:limit] if limit is not None else out


def actors() -> list[Actor]:
    """All actors of the gazetteer, in file order (cached)."""
    return list(_actor_gazetteer().actors)


def actor_kind(name: str) -> str | None:
    """Kind of an actor given its canonical name (or any alias)."""
    gaz = _actor_gazetteer()
    actor = gaz.by_name.get(name) or gaz.by_name.get(actor_for_alias(name) or "")
    return actor.kind if actor else None


def actor_offices(name: str) -> list[dict[str, Any]]:
    """Offices (title, from, to) recorded for a person, [] otherwise."""
    return list(_actor_gazetteer().offices.get(name, []))


_LEADING_ARTICLE = re.compile(rf"^{LEADING_ARTICLE}")


def actor_for_alias(phrase: str) -> str | None:
    """Canonical actor name for an exact alias, name or unambiguous surname (folded)."""
    gaz = _actor_gazetteer()
    key = _norm(phrase)
    for candidate in (key, _LEADING_ARTICLE.sub("", key)):
        entry = gaz.entries.get(candidate)
        if entry:
            return entry.value
        persons = gaz.surnames.get(candidate, [])
        if len(persons) == 1:
            return persons[0]
    return None


class _Found:
    """Actors found so far: first offset and evidence per canonical name."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self.evidence: dict[str, list[str]] = {}
        self.spans: list[tuple[str, int, int]] = []

    def add(self, name: str, offset: int, surface: str, end: int | None = None) -> None:
        self.spans.append((name, offset, end if end is not None else offset + len(surface)))
        if name not in self.first or offset < self.first[name]:
            self.first[name] = offset
        ev = self.evidence.setdefault(name, [])
        if surface not in ev:
            ev.append(surface)

    def matches(self) -> list[Match]:
        order = sorted(self.first, key=lambda n: (self.first[n], n))
        return [Match(n, tuple(self.evidence[n])) for n in order]


def _nested_hits(
    gaz: _ActorGazetteer, prepared: str, folded: str, start: int, end: int
) -> Iterator[tuple[str, int, int]]:
    """Other actors named inside a longer match (e.g. CGT inside « FILPAC CGT »)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded, start, end)]
    for i in range(len(tokens)):
        for j in range(i + 1, len(tokens) + 1):
            if i == 0 and j == len(tokens):
                continue
            entry = gaz.token_entries.get(" ".join(t[2] for t in tokens[i:j]))
            s, e = tokens[i][0], tokens[j - 1][1]
            if entry and _written_ok(entry, prepared, s, e, folded):
                yield entry.value, s, e


def _scan(
    gaz: _ActorGazetteer, prepared: str, folded: str, found: _Found, pos: int = 0, endpos: int | None = None
) -> list[tuple[int, int, str]]:
    """Record aliases found; return bare-surname hits (start, end, key) for later resolution."""
    surname_hits: list[tuple[int, int, str]] = []
    endpos = len(folded) if endpos is None else endpos
    for m in gaz.regex.finditer(folded, pos, endpos):
        start, end, key = m.start(), m.end(), _key(m.group())
        entry = gaz.entries.get(key)
        if entry is None:
            if key in gaz.surnames:
                surname_hits.append((start, end, key))
            continue
        if not entry.spaced_dash and _SPACED_DASH.search(prepared, start, end):
            # « CGT – FO – Solidaires » is a list, not the alias « CGT-FO »: read each part.
            cuts = [start, *(x for d in _SPACED_DASH.finditer(prepared, start, end) for x in d.span()), end]
            for piece_start, piece_end in zip(cuts[::2], cuts[1::2], strict=True):
                surname_hits += _scan(gaz, prepared, folded, found, piece_start, piece_end)
            continue
        if not _written_ok(entry, prepared, start, end, folded):
            continue
        found.add(entry.value, start, _surface(prepared, start, end), end)
        if entry.value in gaz.nested:
            for name, s, e in _nested_hits(gaz, prepared, folded, start, end):
                if name != entry.value:
                    found.add(name, s, _surface(prepared, s, e), e)
    return surname_hits


def _capitalised_like(surface: str, model: str) -> bool:
    """Each word capitalised in ``model`` is capitalised in ``surface``."""
    words, model_words = _WORD.findall(surface), _WORD.findall(model)
    if len(words) != len(model_words):
        return False
    return all(not m[0].isupper() or w[0].isupper() for w, m in zip(words, model_words, strict=True))


def _next_to_other_name(prepared: str, start: int, end: int) -> bool:
    """True when a capitalised non-title word touches the surname (another person's name)."""
    prev = _PREV_TOKEN.search(prepared, max(0, start - 40), start)
    if prev and prev.group(1)[0].isupper() and fold_name(prev.group(1)) not in _TITLE_WORDS:
        return True
    nxt = _NEXT_TOKEN.match(prepared, end, min(len(prepared), end + 40))
    return bool(nxt and nxt.group(1)[0].isupper())


def _resolve_surnames(
    gaz: _ActorGazetteer, prepared: str, folded: str, found: _Found, hits: list[tuple[int, int, str]]
) -> None:
    """A bare surname names a person whose full name is in the document, or a unique
    person when it follows a title; it must be capitalised and stand alone."""
    named = set(found.first)
    for start, end, key in hits:
        surface = _surface(prepared, start, end)
        if not _capitalised_like(surface, gaz.surname_forms[key]):
            continue
        if _next_to_other_name(prepared, start, end):
            continue
        candidates = gaz.surnames[key]
        present = [p for p in candidates if p in named]
        if len(present) == 1:
            found.add(present[0], start, surface)
        elif len(candidates) == 1 and (
            _TITLES_BEFORE.search(folded, max(0, start - 40), start) or _TITLES_AFTER.match(folded, end)
        ):
            found.add(candidates[0], start, surface)


@dataclass(frozen=True)
class ActorsFound:
    """Actors of a text and where each was read (offsets in the NFKC-normalised text)."""

    matches: list[Match]
    spans: list[tuple[str, int, int]]

    def spans_of_kind(self, kind: str) -> list[tuple[int, int]]:
        return [(s, e) for name, s, e in self.spans if actor_kind(name) == kind]


def find_actors(text: str) -> ActorsFound:
    """Actors of ``text`` with the spans they were read from (see match_actors)."""
    gaz = _actor_gazetteer()
    prepared, folded = _read(text)
    found = _Found()
    hits = _scan(gaz, prepared, folded, found)
    _resolve_surnames(gaz, prepared, folded, found, hits)
    return ActorsFound(found.matches(), sorted(found.spans, key=lambda x: x[1]))


def match_actors(text: str) -> list[Match]:
    """Canonical actors named in ``text``, sorted by first occurrence."""
    return find_actors(text).matches


def clear_actor_caches() -> None:
    """Forget the compiled actor gazetteer and the rejected names (re-read on next use)."""
    _actor_gazetteer_at.cache_clear()
    _rejected_at.cache_clear()
