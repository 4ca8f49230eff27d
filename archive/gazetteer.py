"""Gazetteers of actors, themes and places, and their fast matchers.

The vocabularies live in ``archive/vocab/*.yaml``. Each gazetteer is compiled once
into a single trie-shaped regular expression run over *aligned* folded text: a
lower-cased, accent-free copy of the document that keeps exactly one character per
original character, so that any match can be checked against the original casing
(needed for ambiguous items such as ``Tours``, ``FO`` or ``La Réunion``).
"""

from __future__ import annotations

import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from archive import config
from archive.text import APOSTROPHES, DASHES, INVISIBLE, LEADING_ARTICLE, SPACES, fold_name, strip_accents

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"


def vocab_dir() -> Path:
    """The gazetteer folder: ARCHIVE_VOCAB_DIR when set (a lab's own copy), else the bundled one."""
    return config.vocab_dir() or VOCAB_DIR


ACTOR_KINDS = (
    "État et ministères",
    "agences et opérateurs",
    "collectivités",
    "syndicats",
    "organisations patronales",
    "entreprises",
    "personnalités",
)
PLACE_KINDS = ("région", "département", "commune")

# Theme scoring (see match_themes).
STRONG_WEIGHT = 3.0
WEAK_WEIGHT = 0.25  # words every industrial text uses (« millions d'euros », « salariés »)
REPEAT_BONUS = 0.25
REPEAT_CAP = 5
TITLE_BONUS = 2.0
LEAD_BONUS = 1.0  # per term of the first paragraph (see match_themes)
MIN_SECONDARY_SCORE = 2.0
RELATIVE_THRESHOLD = 0.15
MAX_THEMES = 3
COUNTED_WEIGHT = 1.0  # a number of the label's counted nouns (« 281 salariés »), see themes.yaml
COUNTED_TERM = "N …"  # the term under which such counts are scored (evidence shows the first one)


@dataclass(frozen=True)
class Actor:
    """A canonical actor of industrial policy."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    surname: str | None = None


@dataclass(frozen=True)
class Match:
    """A gazetteer hit: canonical value and the strings or terms that triggered it."""

    value: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """A region, department or town, with its department and region when known."""

    name: str
    kind: str
    department: str | None = None
    region: str | None = None


# ---------------------------------------------------------------------------
# Folding
# ---------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_WS = re.compile(r"\s+")
_APOS_WS = re.compile(r"'\s+")


def _build_align_table(lower: bool) -> dict[int, str]:
    """One-to-one character map: accents off (and case off if ``lower``)."""
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        char = chr(cp)
        base = strip_accents(char)
        base = base.lower() if lower else base
        if len(base) == 1 and base != char:
            table[cp] = base
    for char in APOSTROPHES[1:]:
        table[ord(char)] = "'"
    for char in SPACES + DASHES:
        table[ord(char)] = " "
    return table


_ALIGN = _build_align_table(lower=True)
_ALIGN_KEEP_CASE = _build_align_table(lower=False)


def _prepare(text: str) -> str:
    """The 'original' text matches are read from: NFKC, invisible characters removed."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_INVISIBLE)


def _align(prepared: str) -> str:
    """Folded copy of ``prepared`` with exactly one character per input character."""
    low = prepared.lower()
    if len(low) != len(prepared):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in prepared)
    return low.translate(_ALIGN)


_LAST_READ: tuple[str, str, str] | None = None  # (text, prepared, folded) of the last long text
_SHARED_MIN_CHARS = 10_000


def _read(text: str) -> tuple[str, str]:
    """``_prepare`` and ``_align`` of a text, computed once for a long text that the actor,
    place, theme and scheme matchers all read in turn (a third of their time on 1 MB)."""
    global _LAST_READ
    last = _LAST_READ
    if last is not None and last[0] is text:
        return last[1], last[2]
    prepared = _prepare(text)
    folded = _align(prepared)
    if len(text) >= _SHARED_MIN_CHARS:
        _LAST_READ = (text, prepared, folded)
    return prepared, folded


def _key(aligned: str) -> str:
    """Canonical lookup key of an aligned slice: single spaces, no space after apostrophes."""
    key = _APOS_WS.sub("'", _WS.sub(" ", aligned)).strip()
    return key.replace("œ", "oe")


def _norm(text: str) -> str:
    """Lookup key of any phrase (alias, term, query)."""
    return _key(_align(_prepare(text)))


def _case_key(text: str) -> str:
    """Accent-free, case-preserving form used to check case-sensitive items."""
    return _APOS_WS.sub("'", _WS.sub(" ", _prepare(text).translate(_ALIGN_KEEP_CASE))).strip()


# ---------------------------------------------------------------------------
# Trie regex
# ---------------------------------------------------------------------------

_STAR = "*"


def _atom(char: str) -> str:
    if char == " ":
        return r"\s+"
    if char == "'":
        return r"'\s*"
    if char == _STAR:
        return r"\w*"
    return re.escape(char)


def _trie_pattern(keys: Iterable[str]) -> str:
    """A regex alternation of ``keys`` factored as a character trie (longest first)."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(trie)


def _trie_node(node: dict[str, Any]) -> str:
    chars = sorted((c for c in node if c), key=lambda c: (c == _STAR, c))
    alts = [_atom(c) + _trie_node(node[c]) for c in chars]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        return "(?:" + body + ")?"
    return body


def _variants(key: str) -> list[str]:
    """A key and its spelling with the ligature œ (text may use either)."""
    return [key, key.replace("oe", "œ")] if "oe" in key else [key]


def _compile(keys: Iterable[str]) -> re.Pattern[str]:
    all_keys = sorted({v for k in keys if k for v in _variants(k)})
    return re.compile(r"(?<!\w)(?:" + _trie_pattern(all_keys) + r")(?!\w)")


# ---------------------------------------------------------------------------
# Case-sensitive and sentence-start checks
# ---------------------------------------------------------------------------

_SENTENCE_END = set(".!?•·…")


@dataclass(frozen=True)
class _Entry:
    """What a lookup key stands for, and how strictly it must be written.

    ``not_after``/``not_before``: folded phrases that veto a match when they stand right
    before/after it (« aide d'État » is not the State). ``locative``: a place name that is
    also a common word or a company (Orange) counts only after « à », « d' », « de »...
    ``spaced_dash``: the alias itself has a spaced dash, so « CGT – FO » may match it.
    """

    value: str
    cased: frozenset[str] | None = None
    strict: bool = False
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    locative: bool = False
    spaced_dash: bool = False


def _sentence_initial(prepared: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and prepared[i] in " \t\r":
        i -= 1
    if i < 0:
        return True
    if prepared[i] == "\n":
        j = i - 1
        while j >= 0 and prepared[j].isspace():
            if prepared[j] == "\n":
                return True
            j -= 1
        return j < 0 or prepared[j] in _SENTENCE_END
    return prepared[i] in _SENTENCE_END


_LOCATIVE = re.compile(r"(?:^|[^\w'])(?:a|au|aux|en|de|d'|des|vers|sur|dans|pres de|pres d'|depuis|jusqu'a)\s*$")
_SPACED_DASH = re.compile(r"\s[-\u2010-\u2015\u2212]\s")
_CONTEXT_CHARS = 40


def _written_ok(entry: _Entry, prepared: str, start: int, end: int, folded: str | None = None) -> bool:
    if entry.cased is not None and _case_key(prepared[start:end]) not in entry.cased:
        return False
    if entry.strict and _sentence_initial(prepared, start):
        return False
    if entry.not_after or entry.not_before or entry.locative:
        folded = folded if folded is not None else _align(prepared)
        before = _key(folded[max(0, start - _CONTEXT_CHARS) : start] + "\x00")[:-1].rstrip()
        after = _key("\x00" + folded[end : end + _CONTEXT_CHARS])[1:].lstrip()
        if any(_ends_with_words(before, p) for p in entry.not_after):
            return False
        if any(_starts_with_words(after, p) for p in entry.not_before):
            return False
        if entry.locative and not _LOCATIVE.search(before + " "):
            return False
    return True


def _ends_with_words(text: str, phrase: str) -> bool:
    """``text`` ends with ``phrase`` starting at a word boundary."""
    if not text.endswith(phrase):
        return False
    i = len(text) - len(phrase)
    return i == 0 or not text[i - 1].isalnum() or not phrase[0].isalnum()


def _starts_with_words(text: str, phrase: str) -> bool:
    """``text`` starts with ``phrase`` ending at a word boundary."""
    if not text.startswith(phrase):
        return False
    j = len(phrase)
    return j == len(text) or not text[j].isalnum() or not phrase[-1].isalnum()


def _surface(prepared: str, start: int, end: int) -> str:
    return _WS.sub(" ", prepared[start:end]).strip()


def _add_entry(entries: dict[str, _Entry], alias: str, entry: _Entry, owner: str) -> None:
    """Register ``alias``; a case-sensitive declaration wins over a case-insensitive one."""
    key = _norm(alias)
    if not key:
        return
    old = entries.get(key)
    if old is not None:
        if old.value != entry.value:
            raise ValueError(f"{owner}: alias {alias!r} used by both {old.value!r} and {entry.value!r}")
        if old.cased is not None and entry.cased is not None:
            cased: frozenset[str] | None = old.cased | entry.cased
        else:
            cased = old.cased or entry.cased
        entry = replace(
            entry,
            cased=cased,
            strict=old.strict or entry.strict,
            spaced_dash=old.spaced_dash or entry.spaced_dash,
        )
    entries[key] = entry


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10× faster


def _safe_load(stream: Any) -> Any:
    return yaml.load(stream, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _load_yaml(name: str) -> Any:
    with (vocab_dir() / name).open(encoding="utf-8") as handle:
        return _safe_load(handle)


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
    path, decisions = vocab_dir() / "actors.yaml", vocab_dir() / DECISIONS_FILE
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


def vocab_fingerprint() -> str:
    """A short hash of the three vocabularies: when it changes (add_actor, an edit), records
    extracted before no longer say what the gazetteer would say now."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("actors.yaml", "themes.yaml", "places.yaml", "schemes.yaml", DECISIONS_FILE):
        try:
            digest.update((vocab_dir() / name).read_bytes())
        except OSError:
            pass
    return digest.hexdigest()[:16]


def clear_caches() -> None:
    """Forget the compiled vocabularies (they are rebuilt from the YAML files on next use)."""
    _actor_gazetteer_at.cache_clear()
    _rejected_at.cache_clear()
    _theme_gazetteer.cache_clear()
    _place_gazetteer.cache_clear()


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
        path = vocab_dir() / "actors.yaml"
        old_text = path.read_text(encoding="utf-8")
        block = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
        stamp = time.strftime("%Y-%m-%d")
        new_text = f"{old_text.rstrip()}\n\n# Ajouté depuis les acteurs détectés le {stamp}\n{block}"
        _build_actor_gazetteer(_safe_load(new_text) or [])  # refuse to write a broken file
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, path)
        clear_caches()
    return _actor_from_item(item)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock between processes (the app and an indexer)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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


# ---------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------


_TermInfo = dict[str, tuple[float, str]]  # label -> (weight, term as written in the YAML)


@dataclass
class _ThemeGazetteer:
    labels: list[str]
    terms: dict[str, _TermInfo]
    stars: list[tuple[str, _TermInfo]]
    regex: re.Pattern[str]
    # label -> pattern of « a number, then one of the label's counted nouns » (« 281 salariés »)
    counted: dict[str, re.Pattern[str]] = field(default_factory=dict)


# « 1 350 emplois », « 8 000 postes », « 3,000 jobs », « plus de 300 nouveaux emplois »: a number
# of jobs says the document is about jobs whatever else it names.
_NUMBER = r"(?<![\w.,])\d{1,3}(?:[ .,]\d{3})*(?:,\d+)?(?: ?(?:000|millions?|mille))?"
_COUNT_FILLER = r"(?:(?:nouveaux|nouvelles|autres|de|d'|new|neue|weitere) ){0,2}"


def _counted_pattern(nouns: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(_norm(n)) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"{_NUMBER} {_COUNT_FILLER}(?:{alternatives})(?!\w)")


def _theme_term_key(term: str) -> str:
    star = term.endswith(_STAR)
    key = _norm(term.rstrip(_STAR))
    return key + _STAR if star else key


@lru_cache(maxsize=1)
def _theme_gazetteer() -> _ThemeGazetteer:
    items = _load_yaml("themes.yaml") or []
    labels: list[str] = []
    terms: dict[str, _TermInfo] = {}
    ignored = [str(p) for item in items for p in item.get("ignore") or []]
    for item in items:
        label = item["label"]
        labels.append(label)
        weighted = [(str(t), 1.0) for t in item.get("terms") or []]
        weighted += [(str(t), STRONG_WEIGHT) for t in item.get("strong") or []]
        weighted += [(str(t), WEAK_WEIGHT) for t in item.get("weak") or []]
        for term, weight in weighted:
            info = terms.setdefault(_theme_term_key(term), {})
            if weight >= info.get(label, (0.0, ""))[0]:
                info[label] = (weight, term)
    for phrase in ignored:  # read (the longest match wins) and never counted
        terms.setdefault(_theme_term_key(phrase), {})
    stars = sorted(((k[:-1], v) for k, v in terms.items() if k.endswith(_STAR)), key=lambda kv: -len(kv[0]))
    counted = {item["label"]: _counted_pattern(map(str, item["counted"])) for item in items if item.get("counted")}
    return _ThemeGazetteer(labels=labels, terms=terms, stars=stars, regex=_compile(terms), counted=counted)


def is_theme_term(word: str) -> bool:
    """True when ``word`` (folded) is one of the themes' terms or starts a « … * » term."""
    gaz = _theme_gazetteer()
    key = _norm(word)
    return bool(gaz.terms.get(key)) or any(key.startswith(prefix) for prefix, _ in gaz.stars)


def theme_labels() -> list[str]:
    """The theme labels, in their fixed order."""
    return list(_theme_gazetteer().labels)


def _term_info(gaz: _ThemeGazetteer, key: str) -> _TermInfo:
    """Labels triggered by a found key: exact terms first, then « … * » prefixes."""
    if key in gaz.terms and not gaz.terms[key]:
        return {}  # an « ignore » phrase
    info = dict(gaz.terms.get(key, {}))
    for prefix, star_info in gaz.stars:
        if key.startswith(prefix):
            for label, value in star_info.items():
                info.setdefault(label, value)
    return info


_Counts = dict[tuple[str, str], tuple[float, int]]  # (label, term) -> (weight, occurrences)


# Names of these kinds of actors say nothing of a document's themes: « ministre de la
# Transition écologique », « Alès Agglomération », « FO Métaux ».
NAME_KINDS_WITHOUT_THEMES = ("État et ministères", "collectivités", "syndicats")


def institution_spans(found: ActorsFound) -> list[tuple[int, int]]:
    """Spans of the actor names whose words must not count as theme terms."""
    return [(s, e) for name, s, e in found.spans if actor_kind(name) in NAME_KINDS_WITHOUT_THEMES]


def _term_counts(
    gaz: _ThemeGazetteer, text: str, shown: dict[str, str], skip: Iterable[tuple[int, int]] = ()
) -> _Counts:
    """Occurrences of each (label, term) in ``text``; ``shown`` gets the first surface of « … * » terms."""
    counts: _Counts = {}
    prepared, folded = _read(text)
    skipped = sorted(skip)
    for m in gaz.regex.finditer(folded):
        if skipped and any(s <= m.start() and m.end() <= e for s, e in skipped):
            continue
        for label, (weight, term) in _term_info(gaz, _key(m.group())).items():
            if term.endswith(_STAR):
                shown.setdefault(term, _surface(prepared, m.start(), m.end()).lower())
            counts[label, term] = (weight, counts.get((label, term), (weight, 0))[1] + 1)
    for label, pattern in gaz.counted.items():
        for m in pattern.finditer(folded):
            if skipped and any(s <= m.start() and m.end() <= e for s, e in skipped):
                continue
            term = COUNTED_TERM
            shown.setdefault(term, _surface(prepared, m.start(), m.end()))
            counts[label, term] = (COUNTED_WEIGHT, counts.get((label, term), (COUNTED_WEIGHT, 0))[1] + 1)
    return counts


def _theme_scores(body: _Counts, title: _Counts, lead: _Counts | None = None) -> dict[str, dict[str, float]]:
    """Per label, per term: weight × (1 + bonus per repeat, capped) + title bonus + lead bonus."""
    scores: dict[str, dict[str, float]] = {}
    lead = lead or {}
    for label, term in body.keys() | title.keys():
        weight, count = body.get((label, term)) or (title[label, term][0], 0)
        score = weight * (1 + REPEAT_BONUS * (min(count, REPEAT_CAP) - 1)) if count else 0.0
        if (label, term) in title:
            score += TITLE_BONUS * weight
        if (label, term) in lead:
            score += LEAD_BONUS * weight
        scores.setdefault(label, {})[term] = score
    return scores


def match_themes(
    text: str, title: str = "", skip: Iterable[tuple[int, int]] | None = None, lead_end: int = 0
) -> list[Match]:
    """One to three themes, best first, with their triggering terms; [] if no term at all.

    Score of a theme = Σ over its distinct terms of weight × (1 + 0.25 per repeat, up
    to 5 occurrences), weight 3 for strong terms, 0.25 for weak ones and 1 otherwise, plus
    2 × weight for a term found in the title and 1 × weight for a term of the first
    paragraph (text up to ``lead_end``). The best theme is always kept; others are kept when
    they score at least MIN_SECONDARY_SCORE and at least RELATIVE_THRESHOLD of the best,
    up to three. Words inside the names of ministries, local authorities and unions do not
    count (``skip``: their spans in ``text`` when already known, see institution_spans).
    """
    gaz = _theme_gazetteer()
    shown: dict[str, str] = {}
    if skip is None:
        skip = institution_spans(find_actors(text))
    skip = list(skip)
    body = _term_counts(gaz, text, shown, skip)
    in_title = _term_counts(gaz, title, shown, institution_spans(find_actors(title))) if title else {}
    in_lead = _term_counts(gaz, text[:lead_end], shown, skip) if lead_end and LEAD_BONUS else {}
    scores = _theme_scores(body, in_title, in_lead)
    totals = {label: sum(terms.values()) for label, terms in scores.items()}
    order = {label: i for i, label in enumerate(gaz.labels)}
    ranked = sorted(totals, key=lambda lab: (-totals[lab], order[lab]))
    if not ranked:
        return []
    top = totals[ranked[0]]
    keep = [ranked[0]] + [
        lab for lab in ranked[1:] if totals[lab] >= max(MIN_SECONDARY_SCORE, RELATIVE_THRESHOLD * top)
    ]
    return [Match(lab, _theme_evidence(scores[lab], shown)) for lab in keep[:MAX_THEMES]]


def _theme_evidence(terms: dict[str, float], shown: dict[str, str]) -> tuple[str, ...]:
    """Terms by decreasing contribution, « … * » terms shown as first found."""
    ranked = sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(dict.fromkeys(shown.get(t, t) for t, _ in ranked))


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
    return list(seen.values())


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


def roll_up(names: Iterable[str]) -> list[str]:
    """Places followed by the department and region of each, deduplicated, in that order:
    ``["Pont-de-Claix"]`` → ``["Pont-de-Claix", "Isère", "Auvergne-Rhône-Alpes"]``. Unknown
    names are kept as they are. This is what the place facet indexes, so that a search on a
    department or region also finds the documents that only name one of its towns."""
    out: dict[str, None] = {}
    for name in names:
        out[name] = None
        info = place_info(name)
        if info is not None:
            for parent in (info.department, info.region):
                if parent:
                    out[parent] = None
    return list(out)
