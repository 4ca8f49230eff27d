"""On-disk layout of an archive index.

    <index root>/CURRENT          name of the live generation directory
    <index root>/g-<stamp>/       the backend's index files + archive.json (version) + state.json

A rebuild writes a new generation beside the live one and switches CURRENT
with an atomic rename, so searches keep working throughout. The indexer's
state (manifest of files and failures) lives inside the generation, so index
and state always swap together.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.gazetteer import vocab_fingerprint
from archive.models import IndexStats

if TYPE_CHECKING:
    from archive.engine import SearchEngine

CURRENT = "CURRENT"
META_FILE = "archive.json"
STATE_FILE = "state.json"


def live_dir(root: Path) -> Path | None:
    """The live generation directory, or None when no index exists yet."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def new_generation_dir(root: Path, index_version: str) -> Path:
    """A new empty generation, stamped with the backend's index version (see archive.engine)."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}"
    path = root / f"g-{stamp}"
    path.mkdir()
    write_json_atomic(path / META_FILE, {"index_version": index_version})
    return path


def switch_to(root: Path, generation: Path) -> None:
    """Make `generation` live atomically, then drop generations older than the previous one."""
    previous = live_dir(root)
    tmp = root / f"{CURRENT}.tmp"
    tmp.write_text(generation.name, encoding="utf-8")
    os.replace(tmp, root / CURRENT)
    keep = {generation.name} | ({previous.name} if previous else set())
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("g-") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def discard_unfinished(root: Path) -> None:
    """Remove generations newer than the live one: rebuilds killed before their switch.

    Call with the writer lock held (no build in progress); readers never saw them.
    """
    live = live_dir(root)
    if live is None or not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("g-") and child.name > live.name:
            shutil.rmtree(child, ignore_errors=True)


def index_version(generation: Path) -> str | None:
    try:
        return json.loads((generation / META_FILE).read_text(encoding="utf-8")).get("index_version")
    except (FileNotFoundError, ValueError):
        return None


def read_state(generation: Path | None) -> dict[str, Any]:
    """The indexer's manifest: {"files": {path: {...}}, "failed": {path: {...}}}."""
    empty: dict[str, Any] = {"files": {}, "failed": {}}
    if generation is None:
        return empty
    try:
        data = json.loads((generation / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty
    except ValueError:
        # A torn state file only costs a re-read of the corpus: the index is the truth.
        return {**empty, "damaged": True}
    return {**empty, **data}


def write_state(generation: Path, state: dict[str, Any]) -> None:
    write_json_atomic(generation / STATE_FILE, state)


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def directory_bytes(path: Path) -> int:
    """Bytes under path. The writer may remove files while we walk (merged segments, temporary
    files): those count as zero instead of failing the caller."""
    total = 0
    for folder, _dirs, files in os.walk(path):  # os.walk skips folders that vanish
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                continue
    return total


def newest_mtime(paths: Iterable[Path]) -> float | None:
    """The latest modification time among paths that still exist when asked."""
    times = []
    for path in paths:
        try:
            times.append(path.stat().st_mtime)
        except FileNotFoundError:
            continue
    return max(times, default=None)


def index_stats(engine: SearchEngine, root: Path) -> IndexStats:
    """The engine's counts with the unreadable files the indexer recorded in the live generation's
    state, and whether the vocabulary changed since the index was built, as « État de l'archive »,
    `archive stats` and /api/stats show them. Read here, not in indexer/: the API server,
    read-only by construction, never loads the indexer."""
    state = read_state(live_dir(root))
    failed = [{"path": p, **info} for p, info in sorted(state.get("failed", {}).items())]
    built_with = state.get("vocab")  # recorded by the indexer when it analysed every document
    changed = isinstance(built_with, str) and built_with != vocab_fingerprint()
    return replace(engine.stats(), failed=failed, vocabulary_changed=changed)
