"""A researcher's decision on a detected actor: confirm, merge into a known actor, or reject.

Decisions are kept in the gazetteer folder (``detected_decisions.yaml`` beside
``actors.yaml``), never in the index, so they survive every rebuild:

- confirm: the name becomes an actor of ``actors.yaml`` (``gazetteer.add_actor``);
- merge: the name becomes an alias of an existing actor (read with actors.yaml);
- reject: the name is never proposed again, nor kept among a document's detected actors.

Documents already indexed reflect a decision once they are analysed again (the app does
it at once for the documents concerned).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from archive import gazetteer as g
from archive.gazetteer import actor_gazetteer, files
from archive.text import fold_name

CONFIRMED, MERGED, REJECTED = "confirmed", "merged", "rejected"
HEADER = (
    "# Décisions sur les acteurs détectés (confirmés, fusionnés, rejetés), écrites par l'application.\n"
    "# confirmed: ajouté à actors.yaml ; merged: alias de l'acteur « into » ; rejected: plus jamais proposé.\n"
)


@contextmanager
def _writable() -> Iterator[None]:
    """A folder the app cannot write (an installed package, a read-only mount) said in French,
    with what to do, instead of « [Errno 13] Permission denied »."""
    try:
        yield
    except OSError as exc:
        raise ValueError(
            f"Le dossier des vocabulaires ({g.vocab_dir()}) n'accepte pas d'écriture "
            f"({exc.strerror or exc.__class__.__name__}) : rien n'a été enregistré. Faites pointer "
            "ARCHIVE_VOCAB_DIR vers un dossier du laboratoire où l'application peut écrire (une copie de "
            "archive/vocab/)."
        ) from exc


def _clean(name: str) -> str:
    name = " ".join(str(name).split())
    if not name or len(name) > 150:
        raise ValueError("Nom d'acteur vide ou trop long.")
    return name


def _record(decision: dict[str, Any]) -> None:
    """Append a decision (a later decision on the same name replaces the earlier one)."""
    path = g.vocab_dir() / g.DECISIONS_FILE
    with actor_gazetteer._ADD_LOCK, files._file_lock(g.vocab_dir() / ".actors.lock"):
        current = [d for d in g.load_decisions(path) if fold_name(str(d["name"])) != fold_name(decision["name"])]
        current.append(decision)
        body = yaml.safe_dump(current, allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(HEADER + body, encoding="utf-8")
        os.replace(tmp, path)
        g.clear_caches()


def confirm(name: str, kind: str) -> g.Actor:
    """Make a detected name an actor of the gazetteer (ValueError, in French, if it cannot be)."""
    name = _clean(name)
    with _writable():
        actor = g.add_actor(name, kind)
        _record({"name": name, "decision": CONFIRMED, "kind": actor.kind, "when": time.strftime("%Y-%m-%d")})
    return actor


def merge(name: str, into: str) -> str:
    """Make a detected name an alias of an existing actor; returns the actor's canonical name."""
    name = _clean(name)
    target = g.actor_for_alias(into) if into else None
    if target is None:
        raise ValueError(f"Acteur inconnu : « {into} ».")
    already = g.actor_for_alias(name)
    if already is not None and already != target:
        raise ValueError(f"« {name} » désigne déjà l'acteur « {already} ».")
    with _writable():
        _record({"name": name, "decision": MERGED, "into": target, "when": time.strftime("%Y-%m-%d")})
    return target


def reject(name: str) -> None:
    """Never propose this name again as an actor."""
    name = _clean(name)
    if g.actor_for_alias(name) is not None:
        raise ValueError(f"« {name} » est un acteur du gazetteer : il ne peut pas être rejeté ici.")
    with _writable():
        _record({"name": name, "decision": REJECTED, "when": time.strftime("%Y-%m-%d")})


def decisions() -> list[dict[str, Any]]:
    """Every decision taken so far, oldest first."""
    return g.load_decisions()
