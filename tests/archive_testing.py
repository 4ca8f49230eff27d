"""Helpers shared by the robustness tests (watch, crash, hostile, concurrency).

The expected state of an index is computed here straight from the files
(sha256 → id), independently of the indexer, so a test cannot agree with a bug.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest
from indexer.check import check_archive
from indexer.formats import SUPPORTED_SUFFIXES
from indexer.scan import is_transient

ROOT = Path(__file__).resolve().parent.parent


def load_bench(name: str):
    """A benchmark script of benchmarks/ as a module (the tests share its evaluation code)."""
    import importlib.util

    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


@contextmanager
def ner_off() -> Iterator[None]:
    """Named-entity recognition off (also in worker and CLI processes, through the environment).

    Loading spaCy costs seconds per worker; these tests are about the indexer's
    robustness, not about entities.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARCHIVE_NER", "0")
        yield


@contextmanager
def indexed(corpus: Path, index: Path) -> Iterator[SearchEngine]:
    """An engine on ``corpus`` indexed by the real pipeline (recognition off, nothing failing)."""
    from indexer.pipeline import index_corpus

    with ner_off():
        report = index_corpus(corpus, index)
    assert report.failed == [], report.failed
    engine = open_engine(index)
    try:
        yield engine
    finally:
        engine.close()


def cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m archive_cli ...`, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "archive_cli", *args],
        cwd=cwd or ROOT,
        env={**os.environ, "ARCHIVE_NER": "0"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def expected_documents(corpus: Path, failing: set[str] = frozenset()) -> dict[str, list[str]]:
    """{id: sorted NFC paths} the index must hold: every supported, non-hidden file but `failing`."""
    out: dict[str, list[str]] = defaultdict(list)
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath) / name
            rel = unicodedata.normalize("NFC", path.relative_to(corpus).as_posix())
            if is_transient(name) or path.suffix.lower() not in SUPPORTED_SUFFIXES or rel in failing:
                continue
            if path.is_symlink():
                continue
            out[hashlib.sha256(path.read_bytes()).hexdigest()[:16]].append(rel)
    return {doc_id: sorted(paths) for doc_id, paths in out.items()}


def indexed_documents(index: Path) -> tuple[dict[str, list[str]], int]:
    """({id: paths} as searched, number of stored documents) of the live index."""
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(query="", limit=100_000, with_snippets=False))
        docs = {}
        for hit in result.hits:
            record = engine.document(hit.id)
            assert record is not None
            docs[hit.id] = sorted(record.paths)
        return docs, engine.stats().documents
    finally:
        engine.close()


def assert_converged(corpus: Path, index: Path, failing: set[str] = frozenset()) -> dict[str, list[str]]:
    """The index holds exactly the folder: same ids, each path once, nothing twice, check ok."""
    expected = expected_documents(corpus, failing)
    docs, stored = indexed_documents(index)
    assert set(docs) == set(expected), (
        f"missing {sorted(set(expected) - set(docs))[:5]}, extra {sorted(set(docs) - set(expected))[:5]}"
    )
    assert docs == expected
    assert stored == len(docs), f"{stored - len(docs)} document(s) stored twice"
    all_paths = [p for paths in docs.values() for p in paths]
    assert len(all_paths) == len(set(all_paths)), "a path belongs to two documents"
    report = check_archive(corpus, index)
    assert report == {"ok": True, "problems": []}, report["problems"][:5]
    return docs


def search_paths(index: Path, query: str) -> set[str]:
    """Paths of the full (non-partial) matches of `query`, with a fresh engine."""
    engine = open_engine(index)
    try:
        hits = engine.search(SearchRequest(query=query, limit=1000, with_snippets=False)).hits
        # The index may change between the search and the document reads (a watcher runs):
        # a document gone meanwhile is simply not listed; callers poll again.
        records = [engine.document(h.id) for h in hits if not h.partial]
        return {path for record in records if record is not None for path in record.paths}
    finally:
        engine.close()


def place_counts(index: Path) -> dict[str, int]:
    """The index's place facet, value → documents (the test is skipped when the corpus names none)."""
    engine = open_engine(index)
    try:
        places = engine.search(SearchRequest(query="", limit=1)).facets["place"]
    finally:
        engine.close()
    if not places:
        pytest.skip("the seeds name no place")
    return dict(places)


def first_hit_id(index: Path, query: str) -> str:
    """The id of the best hit of ``query``, with a fresh engine."""
    engine = open_engine(index)
    try:
        return engine.search(SearchRequest(query=query, limit=1)).hits[0].id
    finally:
        engine.close()


def wait_for(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; return its value (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def children_of(pid: int) -> set[int]:
    """Live child processes of `pid` (Linux /proc)."""
    out: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.update(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return {c for c in out if not gone(c)}


def gone(pid: int) -> bool:
    """True when `pid` no longer runs (exited, or a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def fingerprint(corpus: Path) -> dict[str, tuple[str, int]]:
    """(sha256, mtime) of every regular file, symlinks not followed: proof originals are untouched."""
    out = {}
    for dirpath, _dirs, files in os.walk(corpus):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            out[str(path)] = (hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns)
    return out


def _refuse_to_load() -> None:
    raise RuntimeError("cannot be read back on purpose")


class _Unreadable:
    """Pickles fine in a worker, fails to unpickle in the parent (as a class changed mid-run would)."""

    def __reduce__(self):
        return (_refuse_to_load, ())


def unreadable_result(path, extraction, context) -> _Unreadable:
    """An extraction worker's finish hook whose answer the parent cannot read."""
    return _Unreadable()


def run_app(**params: str | list[str]) -> AppTest:
    """One run of the real app script under Streamlit's AppTest, with these URL parameters;
    fails on any exception the page raised."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
