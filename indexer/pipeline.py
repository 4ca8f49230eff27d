"""Bring the index to exactly the state of the corpus folder.

One run: lock → scan → compare with the manifest → hash what changed →
extract new content in worker processes → write in batches, each commit
followed by the manifest of what it holds. Every step is idempotent (a
document is written by delete-then-add of its content id), so a run killed at
any point is finished by the next one with nothing lost and nothing doubled.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as windex

from archive import store
from archive.engine import IndexWriter, create_index, create_writer, indexed_ids, read_text_of
from indexer.extract import Extraction, ExtractionError
from indexer.lock import DEFAULT_TIMEOUT, WriteLock
from indexer.metadata import build_record
from indexer.sandbox import ExtractorPool, Limits
from indexer.scan import CorpusFile, document_id, scan_corpus, sha256_of
from indexer.sidecar import SidecarError, read_sidecar

Progress = Callable[[int, int, str], None]
BATCH_SIZE = 500


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0
    rebuilt: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Plan:
    files: dict[str, dict[str, Any]]  # rel → manifest entry after this run
    failed: dict[str, dict[str, Any]]
    by_id: dict[str, list[str]]  # id → sorted paths after this run
    removed_ids: set[str]
    extract_ids: list[str]  # new content, or its sidecar changed
    repath_ids: list[str]  # known content whose paths changed
    unchanged: int


def needs_rebuild(index_root: Path) -> bool:
    live = store.live_dir(Path(index_root))
    return live is None or not windex.exists_in(str(live)) or not store.is_current_version(live)


def index_corpus(
    corpus: Path,
    index_root: Path,
    *,
    jobs: int = 1,
    rebuild: bool = False,
    retry_failed: bool = False,
    only_paths: set[str] | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
    batch_size: int = BATCH_SIZE,
) -> IndexReport:
    """Index `corpus` into `index_root`; the only entry point that writes an index.

    `only_paths` limits retrying of failed files to those paths (retry one by one).
    """
    started = time.monotonic()
    corpus, index_root = Path(corpus), Path(index_root)
    report = _progress_or_noop(progress)
    with WriteLock(index_root, timeout=lock_timeout):
        fresh = rebuild or needs_rebuild(index_root)
        if fresh:
            generation = store.new_generation_dir(index_root)
            create_index(generation)
            state: dict[str, Any] = {"files": {}, "failed": {}}
        else:
            generation = store.live_dir(index_root)
            assert generation is not None
            state = store.read_state(generation)
        report(0, 0, "scan")
        plan = _plan(corpus, state, retry_failed, only_paths)
        if not fresh:
            # Documents committed by a run killed before it saved its manifest.
            plan.removed_ids |= indexed_ids(generation) - set(plan.by_id)
        result = IndexReport(rebuilt=fresh, unchanged=plan.unchanged, removed=len(plan.removed_ids))
        old_ids = {e["id"] for e in state["files"].values()}
        _write(corpus, generation, state, plan, old_ids, result, jobs, limits, report, fresh, batch_size)
        if fresh:
            store.switch_to(index_root, generation)
        result.documents = len(plan.by_id)
        result.failed = [{"path": p, "reason": f["reason"]} for p, f in sorted(plan.failed.items())]
    result.seconds = time.monotonic() - started
    report(1, 1, "done")
    return result


def _plan(corpus: Path, state: dict[str, Any], retry_failed: bool, only_paths: set[str] | None) -> _Plan:
    old_files: dict[str, dict[str, Any]] = state.get("files", {})
    old_failed: dict[str, dict[str, Any]] = state.get("failed", {})
    scanned, refused = scan_corpus(corpus)
    files: dict[str, dict[str, Any]] = {}
    failed: dict[str, dict[str, Any]] = {}
    for r in refused:
        previous = old_failed.get(r.rel)
        same = previous is not None and previous.get("reason") == r.reason
        failed[r.rel] = previous if same else _failure(previous, r.reason, None)
    dirty: set[str] = set()
    for f in scanned:
        old = old_files.get(f.rel)
        if old and _same_stat(old, f):
            files[f.rel] = old
            continue
        was_failed = old_failed.get(f.rel)
        wants_retry = retry_failed and (only_paths is None or f.rel in only_paths)
        if was_failed and _same_stat(was_failed, f) and not wants_retry:
            failed[f.rel] = was_failed
            continue
        try:
            sha = sha256_of(f.path)
        except OSError as exc:
            failed[f.rel] = _failure(was_failed, f"fichier illisible ({exc.strerror})", f)
            continue
        entry = _entry(f, sha)
        files[f.rel] = entry
        if not (old and old["sha256"] == sha and old.get("sidecar_mtime_ns", 0) == f.sidecar_mtime_ns):
            dirty.add(f.rel)
        if was_failed:
            failed.pop(f.rel, None)
    by_id = _group(files)
    old_by_id = _group(old_files)
    extract_ids, repath_ids = [], []
    for doc_id, paths in by_id.items():
        old_paths = old_by_id.get(doc_id)
        if old_paths is None:
            extract_ids.append(doc_id)
        elif _sidecar_of(files, paths) != _sidecar_of(old_files, old_paths):
            extract_ids.append(doc_id)
        elif old_paths != paths or any(p in dirty for p in paths):
            repath_ids.append(doc_id)
    removed = set(old_by_id) - set(by_id)
    touched = set(extract_ids) | set(repath_ids)
    unchanged = sum(1 for i in by_id if i not in touched)
    return _Plan(files, failed, by_id, removed, extract_ids, repath_ids, unchanged)


def _write(corpus, generation, state, plan: _Plan, old_ids, result, jobs, limits, report, fresh, batch_size) -> None:
    committed = {"files": dict(state.get("files", {})), "failed": dict(plan.failed)}
    writer = create_writer(generation, bulk=fresh)
    pending: list[str] = []

    def commit_batch() -> None:
        nonlocal writer
        writer.commit()
        for doc_id in pending:
            _commit_paths(committed["files"], plan, doc_id)
        pending.clear()
        store.write_state(generation, committed)
        writer = create_writer(generation, bulk=fresh)

    try:
        for doc_id in plan.removed_ids:
            writer.delete(doc_id)
            pending.append(doc_id)
        for doc_id in plan.repath_ids:
            record = read_text_of(generation, doc_id)
            if record is None:  # manifest said known, index disagrees: extract again
                plan.extract_ids.append(doc_id)
                continue
            record.paths = plan.by_id[doc_id]
            writer.upsert(record)
            pending.append(doc_id)
            result.updated += 1
        total = len(plan.extract_ids)
        done = 0
        for doc_id, outcome in _extract_all(corpus, plan, jobs, limits):
            done += 1
            report(done, total, plan.by_id[doc_id][0])
            if isinstance(outcome, str):
                _fail_id(plan, committed, doc_id, outcome)
                writer.delete(doc_id)
                pending.append(doc_id)
                continue
            writer.upsert(outcome)
            pending.append(doc_id)
            if doc_id in old_ids:
                result.updated += 1
            else:
                result.added += 1
            if len(pending) >= batch_size:
                commit_batch()
        writer.commit()
        for doc_id in pending:
            _commit_paths(committed["files"], plan, doc_id)
        pending.clear()
    except BaseException:
        writer.cancel()
        raise
    committed["files"] = {rel: e for rel, e in plan.files.items()}
    committed["failed"] = plan.failed
    store.write_state(generation, committed)


def _extract_all(corpus: Path, plan: _Plan, jobs: int, limits: Limits | None):
    """(id, record or failure reason) for every id to extract, as workers finish."""
    primary = {corpus / plan.by_id[i][0]: i for i in plan.extract_ids}
    if not primary:
        return
    with ExtractorPool(max(1, jobs), limits or Limits()) as pool:
        for path, outcome in pool.imap_unordered(list(primary)):
            doc_id = primary[path]
            if isinstance(outcome, ExtractionError):
                yield doc_id, _reason(outcome)
                continue
            yield doc_id, _record_or_reason(corpus, plan, doc_id, path, outcome)


def _record_or_reason(corpus: Path, plan: _Plan, doc_id: str, path: Path, extraction: Extraction):
    try:
        sidecar = read_sidecar(path)
    except SidecarError as exc:
        return str(exc)
    entry = plan.files[plan.by_id[doc_id][0]]
    try:
        return build_record(
            doc_id=doc_id,
            paths=plan.by_id[doc_id],
            extraction=extraction,
            sidecar=sidecar,
            sha256=entry["sha256"],
            size=entry["size"],
        )
    except Exception as exc:  # a metadata bug must not stop the run; it is reported per file
        return f"erreur pendant l'analyse des métadonnées ({exc.__class__.__name__}: {exc})"


def _reason(error: ExtractionError) -> str:
    return str(error.args[0]) if error.args else "extraction impossible"


def _fail_id(plan: _Plan, committed: dict[str, Any], doc_id: str, reason: str) -> None:
    for rel in plan.by_id.pop(doc_id, []):
        entry = plan.files.pop(rel)
        plan.failed[rel] = _failure(committed["failed"].get(rel), reason, entry)
        committed["failed"][rel] = plan.failed[rel]
        committed["files"].pop(rel, None)


def _commit_paths(files: dict[str, dict[str, Any]], plan: _Plan, doc_id: str) -> None:
    for rel in [r for r, e in files.items() if e["id"] == doc_id]:
        files.pop(rel)
    for rel in plan.by_id.get(doc_id, []):
        files[rel] = plan.files[rel]


def _same_stat(entry: dict[str, Any], f: CorpusFile) -> bool:
    return (
        entry.get("size") == f.size
        and entry.get("mtime_ns") == f.mtime_ns
        and entry.get("sidecar_mtime_ns", 0) == f.sidecar_mtime_ns
    )


def _entry(f: CorpusFile, sha: str) -> dict[str, Any]:
    return {
        "id": document_id(sha),
        "sha256": sha,
        "size": f.size,
        "mtime_ns": f.mtime_ns,
        "sidecar_mtime_ns": f.sidecar_mtime_ns,
    }


def _failure(previous: dict[str, Any] | None, reason: str, f: CorpusFile | dict[str, Any] | None) -> dict[str, Any]:
    stat = {}
    if isinstance(f, CorpusFile):
        stat = {"size": f.size, "mtime_ns": f.mtime_ns, "sidecar_mtime_ns": f.sidecar_mtime_ns}
    elif isinstance(f, dict):
        stat = {k: f[k] for k in ("size", "mtime_ns", "sidecar_mtime_ns") if k in f}
    tries = (previous or {}).get("tries", 0) + 1
    return {"reason": reason, "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "tries": tries, **stat}


def _group(files: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(files):
        out[files[rel]["id"]].append(rel)
    return dict(out)


def _sidecar_of(files: dict[str, dict[str, Any]], paths: list[str]) -> int:
    return files[paths[0]].get("sidecar_mtime_ns", 0)


def _progress_or_noop(progress: Progress | None) -> Progress:
    return progress or (lambda done, total, label: None)


__all__ = ["IndexReport", "IndexWriter", "index_corpus", "needs_rebuild"]
