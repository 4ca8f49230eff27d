"""Gazetteers of actors, themes and places, and their fast matchers.

The vocabularies live in ``archive/vocab/*.yaml`` (or a lab's copy, ``ARCHIVE_VOCAB_DIR``). Each
gazetteer is compiled once into a single trie-shaped regular expression run over aligned folded
text (``matching``). One module per concern: ``files`` (where the YAML is, reading, the write lock),
``matching``, ``actor_gazetteer``, ``themes``, ``places``; this package re-exports what the rest of the
archive uses.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from archive.gazetteer.actor_gazetteer import (
    ACTOR_KINDS,
    DECISIONS_FILE,
    Actor,
    ActorsFound,
    _build_actor_gazetteer,
    actor_for_alias,
    actor_kind,
    actor_members,
    actor_offices,
    actor_parents,
    actors,
    add_actor,
    candidate_actors,
    clear_actor_caches,
    find_actors,
    load_decisions,
    match_actors,
    member_of_table,
    rejected_names,
    roll_up_actors,
)
from archive.gazetteer.files import VOCAB_DIR, _load_yaml, vocab_dir, vocab_file
from archive.gazetteer.matching import Match, _align, _key, _prepare
from archive.gazetteer.places import (
    PLACE_KINDS,
    Place,
    _place_gazetteer,
    match_places,
    place_info,
    place_names,
    roll_up,
)
from archive.gazetteer.theme_model import MODEL_FILE as THEME_MODEL_FILE
from archive.gazetteer.theme_model import load_model as load_theme_model
from archive.gazetteer.themes import (
    NAME_KINDS_WITHOUT_THEMES,
    _theme_gazetteer,
    institution_spans,
    is_theme_term,
    match_themes,
    theme_labels,
)

__all__ = [
    "ACTOR_KINDS",
    "DECISIONS_FILE",
    "NAME_KINDS_WITHOUT_THEMES",
    "PLACE_KINDS",
    "THEME_MODEL_FILE",
    "VOCAB_DIR",
    "Actor",
    "ActorsFound",
    "Match",
    "Place",
    "_align",
    "_build_actor_gazetteer",
    "_key",
    "_load_yaml",
    "_prepare",
    "actor_for_alias",
    "actor_kind",
    "actor_members",
    "actor_offices",
    "actor_parents",
    "actors",
    "add_actor",
    "candidate_actors",
    "clear_caches",
    "find_actors",
    "institution_spans",
    "is_theme_term",
    "load_decisions",
    "load_theme_model",
    "match_actors",
    "match_places",
    "match_themes",
    "member_of_table",
    "place_info",
    "place_names",
    "rejected_names",
    "roll_up",
    "roll_up_actors",
    "theme_labels",
    "vocab_dir",
    "vocab_fingerprint",
    "refresh_vocabulary",
]


def _vocab_paths() -> list[tuple[str, Path]]:
    """Every vocabulary file extraction reads, by name: the lab's copy where it has one, else the
    bundled file, as the loaders do; the actor decisions in the lab's folder."""
    names = {path.name for path in VOCAB_DIR.iterdir() if path.suffix in {".yaml", ".json"}}
    lab = vocab_dir()
    if lab != VOCAB_DIR and lab.is_dir():
        names |= {path.name for path in lab.iterdir() if path.suffix in {".yaml", ".json"}}
    return [(name, lab / name if name == DECISIONS_FILE else vocab_file(name)) for name in sorted(names)]


def vocab_fingerprint() -> str:
    """A short hash of the vocabulary files (``_vocab_paths``) and of the actor decisions: when it
    changes (add_actor, an edit), records extracted before no longer say what the gazetteer would
    say now."""
    digest = hashlib.sha256()
    for name, path in _vocab_paths():
        try:
            content = path.read_bytes()
        except OSError:
            content = b""
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:16]


def _vocab_stamp() -> tuple:
    """The vocabulary files' names, sizes and modification times: cheap enough for every document."""
    out = []
    for name, path in _vocab_paths():
        try:
            stat = path.stat()
            out.append((name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            out.append((name, -1, -1))
    return tuple(out)


_seen_stamp: tuple | None = None


def refresh_vocabulary() -> bool:
    """Forget the compiled vocabularies if a file changed since the last call (True then; the first
    call forgets them too). A long-lived extraction worker calls it before each document, so an
    edited vocabulary or a decision on a detected actor applies at once, without starting the worker
    (and its French model) again."""
    global _seen_stamp
    stamp = _vocab_stamp()
    changed = stamp != _seen_stamp  # the first call too: what was compiled before it is not vouched for
    if changed:
        clear_caches()
    _seen_stamp = stamp
    return changed


def clear_caches() -> None:
    """Forget the compiled vocabularies (they are rebuilt from the YAML files on next use)."""
    clear_actor_caches()
    _theme_gazetteer.cache_clear()
    load_theme_model.cache_clear()
    _place_gazetteer.cache_clear()
    from archive import offices, schemes  # they read this package's files

    offices.clear_cache()
    schemes.clear_cache()
