"""Bring the index to exactly the state of the corpus folder.

Size (~540 lines): the one run below in its order (plan, extract, write); manifest, scanning,
extraction and locking already live in their own modules.

One run: lock → scan → compare with the manifest → hash what changed →
extract new content in worker processes → write in batches, each commit
followed by the manifest of what it holds. Every step is idempotent (a
document is written by delete-then-add of its content id), so a run killed at
any point is finished by the next one with nothing lost and nothing doubled.
"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import store, versions
from archive.engine import (
    IndexWriter,
    PreparedDocument,
    backend,
    create_index,
    create_writer,
    indexed_ids,
    is_current_version,
    new_generation,
    open_engine,
    prepare_document,
    read_records,
)
from archive.gazetteer import refresh_vocabulary, vocab_fingerprint
from indexer.extract import Extraction, ExtractionError
from indexer.lock import DEFAULT_TIMEOUT, WriteLock
from indexer.manifest import Failure, FileEntry, Manifest
from indexer.metadata import build_record
from indexer.sandbox import ExtractorPool, Limits
from indexer.scan import CorpusFile, document_id, scan_corpus, sha256_of
from indexer.sidecar import SidecarError, read_sidecar_with_notes

Progress = Callable[[int, int, str], None]
BATCH_SIZE = 500

log = logging.getLogger(f"archive.{__name__}")


class IndexRunFailed(RuntimeError):
    """An update stopped by an error that is not damage to the index (disk full, permission
    denied, a file gone): the live index is as the last commit left it and still searchable,
    and the next run resumes. The message is French, for the app and the command line."""


_ERRNO_REASONS = {
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque atteint",
    errno.EFBIG: "fichier trop grand pour le système (limite de taille atteinte)",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOENT: "un fichier a disparu pendant l'indexation",
}


def transient_reason(exc: BaseException) -> str:
    cause = _ERRNO_REASONS.get(getattr(exc, "errno", None) or -1, exc.__class__.__name__)
    detail = getattr(exc, "strerror", None) or str(exc)
    where = f" ({getattr(exc, 'filename', None)})" if getattr(exc, "filename", None) else ""
    return (
        f"indexation interrompue : {cause} — {detail}{where}. L'index en service n'a pas changé depuis "
        "sa dernière mise à jour et reste consultable ; relancez l'indexation une fois le problème réglé, "
        "elle reprendra où elle s'est arrêtée."
    )


def live_index_damaged(index_root: Path) -> bool:
    """Whether the live index itself fails to read (what `archive check` calls damaged)."""
    try:
        engine = open_engine(index_root, allow_outdated=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is what "damaged" means here
        log.warning("l'index %s ne s'ouvre pas : %r", index_root, exc)
        return True
    try:
        ids = engine.document_ids()
        stored = engine.stats().documents
        return stored != len(ids)
    except Exception as exc:  # noqa: BLE001
        log.warning("l'index %s ne se lit pas : %r", index_root, exc)
        return True
    finally:
        engine.close()


@dataclass
class Analysed:
    """What an extraction worker hands the writer: the document prepared for the index and the
    hashes of its text's shingles, which the writer turns into a MinHash signature (None when
    too short to compare; archive/versions.py)."""

    document: PreparedDocument
    shingles: bytes | None


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
    repaired: str | None = None  # why a damaged live index was rebuilt from the corpus
    deferred: list[str] = field(default_factory=list)  # changed too recently (min_age): left for later

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


@dataclass(frozen=True)
class Workers:
    """Who extracts: a started pool to reuse (the watcher keeps one warm), else up to `jobs`
    new workers under `limits`, for this run only."""

    jobs: int = 1
    limits: Limits | None = None
    pool: ExtractorPool | None = None


@dataclass(frozen=True)
class RunOptions:
    """What one `index_corpus` call asked for, passed as one value to every step."""

    report: Progress
    workers: Workers
    retry_failed: bool = False
    only_paths: frozenset[str] | None = None  # retry only these failed files
    min_age: float = 0.0
    reextract: frozenset[str] = frozenset()
    batch_size: int = BATCH_SIZE


@dataclass(frozen=True)
class ExtractionContext:
    """What an extraction worker needs besides the file to build its document record."""

    doc_id: str
    paths: list[str]
    sha256: str
    size: int


@dataclass
class _Plan:
    files: dict[str, FileEntry]  # rel → manifest entry after this run
    failed: dict[str, Failure]
    by_id: dict[str, list[str]]  # id → sorted paths after this run
    removed_ids: set[str]
    extract_ids: list[str]  # new content, or its sidecar changed
    repath_ids: list[str]  # known content whose paths changed
    unchanged: int
    deferred: list[str] = field(default_factory=list)
    # rel → the file's real path: an NFD name on disk has an NFC rel.
    on_disk: dict[str, Path] = field(default_factory=dict)
    earlier_failures: dict[str, Failure] = field(default_factory=dict)  # to count tries


def needs_rebuild(index_root: Path) -> bool:
    live = store.live_dir(Path(index_root))
    if live is None or not is_current_version(live):
        return True
    try:
        return not backend().index_exists(live)
    except Exception as exc:  # noqa: BLE001 - a truncated or garbled TOC, a class an old pickle names:
        # only a rebuild can help; if the cause is elsewhere (a broken install), the rebuild fails loudly
        log.warning("index %s illisible (%r) : il sera reconstruit depuis le corpus", live, exc)
        return True


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
    min_age: float = 0.0,
    pool: ExtractorPool | None = None,
    reextract: set[str] | None = None,
) -> IndexReport:
    """Index `corpus` into `index_root`; the only entry point that writes an index.

    `only_paths` limits retrying of failed files to those paths (retry one by one).
    `min_age` > 0 leaves files modified less than that many seconds ago (maybe
    still being written) for a later run: they keep their previous version, if
    any, and are listed in `report.deferred` (the watcher uses it).
    A live index that cannot be read is rebuilt from the corpus (`report.repaired`).
    `pool`: a started ExtractorPool(finish=record_or_reason) to reuse instead of starting
    workers for this run (the watcher keeps one warm); use it from its own thread.
    `reextract`: ids of documents to analyse again even though their files did not
    change (after an actor was added to the gazetteer, say).
    """
    started = time.monotonic()
    corpus, index_root = Path(corpus), Path(index_root)
    report = _progress_or_noop(progress)
    options = RunOptions(
        report=report,
        workers=Workers(jobs, limits, pool),
        retry_failed=retry_failed,
        only_paths=frozenset(only_paths) if only_paths is not None else None,
        min_age=min_age,
        reextract=frozenset(reextract or ()),
        batch_size=batch_size,
    )
    with WriteLock(index_root, timeout=lock_timeout):
        os.listdir(corpus)  # a missing corpus is an error, never an empty folder
        store.discard_unfinished(index_root)  # generations left by a killed rebuild
        fresh = rebuild or needs_rebuild(index_root)
        try:
            result = _run(corpus, index_root, options, fresh=fresh)
        except Exception as exc:
            if fresh:
                raise
            if not live_index_damaged(index_root):
                # Disk full, permission denied, a file gone…: a rebuild would fail the same way
                # (and cost a full pass). What was committed is consistent; the next run resumes.
                raise IndexRunFailed(transient_reason(exc)) from exc
            # The live index cannot be read or updated (deleted or truncated segment…):
            # what was committed so far is consistent, and the corpus has everything.
            result = _run(corpus, index_root, options, fresh=True)
            result.repaired = f"index endommagé ({exc.__class__.__name__}: {exc}) : reconstruit depuis le corpus"
    result.seconds = time.monotonic() - started
    report(1, 1, "done")
    return result


def _run(corpus: Path, index_root: Path, options: RunOptions, *, fresh: bool) -> IndexReport:
    """One pass under the lock: into a new generation (fresh) or the live one."""
    if fresh:
        generation = new_generation(index_root)
        create_index(generation)
        manifest = Manifest(vocab=vocab_fingerprint())  # taken before any worker reads the vocabulary
        present: set[str] = set()
    else:
        live = store.live_dir(index_root)
        assert live is not None
        generation = live
        present = indexed_ids(generation)  # raises on a damaged index
        manifest = Manifest.read(generation)
    options.report(0, 0, "scan")
    plan = _plan(corpus, manifest, options)
    _force_extraction(plan, options.reextract)
    # Documents committed by a run killed before it saved its manifest.
    plan.removed_ids |= present - set(plan.by_id)
    result = IndexReport(rebuilt=fresh, unchanged=plan.unchanged, removed=len(plan.removed_ids))
    result.deferred = plan.deferred
    if fresh or not _nothing_to_do(plan, manifest):  # a no-op run writes nothing: searchers keep their caches
        _write(corpus, generation, manifest, plan, result, options, fresh=fresh)
    if fresh:
        store.switch_to(index_root, generation)
    result.documents = len(plan.by_id)
    result.failed = [{"path": p, "reason": f.reason} for p, f in sorted(plan.failed.items())]
    return result


def _plan(corpus: Path, manifest: Manifest, options: RunOptions) -> _Plan:
    old_files, old_failed = manifest.files, manifest.failed
    scanned, refused = scan_corpus(corpus, old_files)
    now_ns = time.time_ns()
    deferred: list[str] = []
    files: dict[str, FileEntry] = {}
    failed: dict[str, Failure] = {}
    for r in refused:
        previous = old_failed.get(r.rel)
        same = previous is not None and previous.reason == r.reason
        failed[r.rel] = previous if previous is not None and same else Failure.after(previous, r.reason, None)
    dirty: set[str] = set()
    for f in scanned:
        old = old_files.get(f.rel)
        if old and old.same_stat(f):
            files[f.rel] = old
            continue
        was_failed = old_failed.get(f.rel)
        if options.min_age > 0 and _recent(f, now_ns, options.min_age):
            if old:  # keep the previous version searchable until the new one settles
                files[f.rel] = old
            if was_failed:
                failed[f.rel] = was_failed
            deferred.append(f.rel)
            continue
        wants_retry = options.retry_failed and (options.only_paths is None or f.rel in options.only_paths)
        if was_failed and was_failed.same_stat(f) and not wants_retry:
            failed[f.rel] = was_failed
            continue
        try:
            sha = sha256_of(f.path)
        except OSError as exc:
            failed[f.rel] = Failure.after(was_failed, f"fichier illisible ({exc.strerror})", f)
            continue
        entry = FileEntry(document_id(sha), sha, f.size, f.mtime_ns, f.sidecar_mtime_ns)
        files[f.rel] = entry
        if not (old and old.sha256 == sha and old.sidecar_mtime_ns == f.sidecar_mtime_ns):
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
    on_disk = {f.rel: f.path for f in scanned}
    return _Plan(files, failed, by_id, removed, extract_ids, repath_ids, unchanged, deferred, on_disk, old_failed)


def _nothing_to_do(plan: _Plan, manifest: Manifest) -> bool:
    if plan.removed_ids or plan.extract_ids or plan.repath_ids or manifest.damaged:
        return False
    return plan.files == manifest.files and plan.failed == manifest.failed


def _recent(f: CorpusFile, now_ns: int, min_age: float) -> bool:
    """Written less than `min_age` s ago (a clock far off, e.g. a future mtime, never defers forever)."""
    window = int(min_age * 1e9)
    return any(abs(now_ns - t) < window for t in (f.mtime_ns, f.sidecar_mtime_ns) if t)


def _write(
    corpus: Path,
    generation: Path,
    manifest: Manifest,
    plan: _Plan,
    result: IndexReport,
    options: RunOptions,
    *,
    fresh: bool,
) -> None:
    old_ids = {e.id for e in manifest.files.values()}
    committed = Manifest(dict(manifest.files), dict(plan.failed), vocab=manifest.vocab)
    batch_size = options.batch_size
    writer = create_writer(generation, bulk=fresh)
    pending: list[str] = []
    # Versions of one text: signatures of this batch, and ids leaving the index. Stored before
    # the index commit, so a search that sees the commit also sees its versions.
    signatures: dict[str, bytes | None] = {}
    dropped: set[str] = set()

    def store_versions() -> None:
        if signatures or dropped:
            with versions.VersionStore(generation) as kept:
                kept.apply(signatures, dropped)
        signatures.clear()
        dropped.clear()

    def commit_batch() -> None:
        nonlocal writer
        store_versions()
        writer.commit()
        _commit_paths(committed.files, plan, pending)
        pending.clear()
        committed.write(generation)
        writer = create_writer(generation, bulk=fresh)

    try:
        for doc_id in plan.removed_ids:
            writer.delete(doc_id)
            dropped.add(doc_id)
            pending.append(doc_id)
        for start in range(0, len(plan.repath_ids), batch_size):  # moved files: no extraction
            chunk = plan.repath_ids[start : start + batch_size]
            known = read_records(generation, chunk)
            for doc_id in chunk:
                record = known.get(doc_id)
                if record is None:  # manifest said known, index disagrees: extract again
                    plan.extract_ids.append(doc_id)
                    continue
                record.paths = plan.by_id[doc_id]
                writer.upsert(record)
                pending.append(doc_id)
                result.updated += 1
            if len(pending) >= batch_size:
                commit_batch()
        total = len(plan.extract_ids)
        done = 0
        for doc_id, outcome in _extract_all(corpus, plan, options.workers):
            done += 1
            options.report(done, total, plan.by_id[doc_id][0])
            if isinstance(outcome, str):
                _fail_id(plan, committed, doc_id, outcome)
                writer.delete(doc_id)
                dropped.add(doc_id)
                signatures.pop(doc_id, None)
                pending.append(doc_id)
                continue
            writer.upsert(outcome.document)
            signatures[doc_id] = versions.signature_of(outcome.shingles) if outcome.shingles else None
            dropped.discard(doc_id)
            pending.append(doc_id)
            if doc_id in old_ids:
                result.updated += 1
            else:
                result.added += 1
            if len(pending) >= batch_size:
                commit_batch()
        store_versions()
        writer.commit()
    except BaseException as error:
        try:
            writer.cancel()
        except Exception as cancel_error:  # e.g. the writer a failed commit already closed
            error.add_note(f"cancelling the index writer failed too: {cancel_error!r}")
        raise
    # Everything is committed: the manifest is now exactly the plan.
    Manifest(dict(plan.files), plan.failed, vocab=manifest.vocab).write(generation)


def _extract_all(corpus: Path, plan: _Plan, workers: Workers):
    """(id, record or failure reason) for every id to extract, as workers finish.

    Metadata (build_record: gazetteer, dates, language) runs in the worker
    processes too, so the parent only writes the index.
    """
    primary = {plan.on_disk.get(plan.by_id[i][0], corpus / plan.by_id[i][0]): i for i in plan.extract_ids}
    if not primary:
        return
    context = {}
    for path, doc_id in primary.items():
        entry = plan.files[plan.by_id[doc_id][0]]
        context[path] = ExtractionContext(doc_id, plan.by_id[doc_id], entry.sha256, entry.size)
    if workers.pool is not None:
        yield from _outcomes(workers.pool, primary, context)
        return
    jobs = max(1, min(workers.jobs, len(primary)))
    with ExtractorPool(jobs, workers.limits or Limits(), finish=record_or_reason) as own:
        yield from _outcomes(own, primary, context)


def _outcomes(pool: ExtractorPool, primary: dict[Path, str], context: dict[Path, ExtractionContext]):
    for path, outcome in pool.imap_unordered(list(primary), context):
        doc_id = primary[path]
        if isinstance(outcome, ExtractionError):
            yield doc_id, _reason(outcome)
            continue
        yield doc_id, outcome


def record_or_reason(path: Path, extraction: Extraction, context: ExtractionContext) -> Analysed | str:
    """The document record of one extraction, analysed for the index with the hashes of its
    text's shingles, or why it failed (runs in an extraction worker: the pool's `finish`)."""
    refresh_vocabulary()  # a worker outlives runs: a vocabulary edited meanwhile applies now
    try:
        sidecar, sidecar_notes = read_sidecar_with_notes(path)
    except SidecarError as exc:
        return str(exc)
    try:
        record = build_record(
            doc_id=context.doc_id,
            paths=context.paths,
            extraction=extraction,
            sidecar=sidecar,
            sha256=context.sha256,
            size=context.size,
        )
        record.notes.extend(sidecar_notes)
    except Exception as exc:  # a metadata bug must not stop the run; it is reported per file
        return f"erreur pendant l'analyse des métadonnées ({exc.__class__.__name__}: {exc})"
    return Analysed(prepare_document(record), versions.shingle_hashes(record.text))


def _reason(error: ExtractionError) -> str:
    return str(error.args[0]) if error.args else "extraction impossible"


def _fail_id(plan: _Plan, committed: Manifest, doc_id: str, reason: str) -> None:
    for rel in plan.by_id.pop(doc_id, []):
        entry = plan.files.pop(rel)
        previous = committed.failed.get(rel) or plan.earlier_failures.get(rel)
        plan.failed[rel] = Failure.after(previous, reason, entry)
        committed.failed[rel] = plan.failed[rel]
        committed.files.pop(rel, None)


def _commit_paths(files: dict[str, FileEntry], plan: _Plan, doc_ids: list[str]) -> None:
    """The manifest now holds the committed paths of `doc_ids` (one pass over it per batch, not per id)."""
    ids = dict.fromkeys(doc_ids)
    if not ids:
        return
    for rel in [r for r, e in files.items() if e.id in ids]:
        files.pop(rel)
    for doc_id in ids:
        for rel in plan.by_id.get(doc_id, []):
            files[rel] = plan.files[rel]


def _force_extraction(plan: _Plan, ids: frozenset[str]) -> None:
    """Analyse these known documents again although their files are unchanged."""
    for doc_id in sorted(ids & set(plan.by_id)):
        if doc_id in plan.extract_ids:
            continue
        if doc_id in plan.repath_ids:
            plan.repath_ids.remove(doc_id)
        else:
            plan.unchanged -= 1
        plan.extract_ids.append(doc_id)


def _group(files: dict[str, FileEntry]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(files):
        out[files[rel].id].append(rel)
    return dict(out)


def _sidecar_of(files: dict[str, FileEntry], paths: list[str]) -> int:
    return files[paths[0]].sidecar_mtime_ns


def _progress_or_noop(progress: Progress | None) -> Progress:
    return progress or (lambda done, total, label: None)


__all__ = ["IndexReport", "IndexWriter", "index_corpus", "needs_rebuild"]
