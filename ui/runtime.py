"""Process-wide resources of the app: paths, the cached engine, the indexing jobs and the watcher."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from archive import config
from archive.engine import SearchEngine, open_engine
from archive.text import number, plural
from indexer.index_runner import ProcessRunner
from indexer.pipeline import IndexReport, needs_rebuild
from indexer.upload import index_with_retry
from ui.jobs import IndexJob, IndexJobs

log = logging.getLogger(f"archive.{__name__}")

if TYPE_CHECKING:
    from indexer.watch import Watcher

JOBS = max(1, min(os.cpu_count() or 1, 8))


def corpus_path() -> Path:
    return config.corpus_dir().resolve()


def index_path() -> Path:
    return config.index_dir().resolve()


@st.cache_resource(show_spinner=False)
def _engine(index_root: str) -> SearchEngine:
    # One engine per process and index; it refreshes itself when the index changes. With
    # ARCHIVE_SEARCH_PROCESSES, its searches run in that many processes of their own; otherwise
    # the slow ones (ARCHIVE_SLOW_QUERY_PROCESS) run in one.
    local = open_engine(Path(index_root), allow_outdated=True)
    processes = config.search_processes()
    if not processes and not config.slow_query_process():
        return local
    from archive.search_processes import COSTLY_PROCESSES, ProcessSearchEngine

    return ProcessSearchEngine(Path(index_root), processes or COSTLY_PROCESSES, local, only_costly=not processes)


def engine() -> SearchEngine:
    return _engine(str(index_path()))


@dataclass
class SyncState:
    """The background catch-up run started once per process when the index already exists."""

    running: bool = True
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))
    finished: str | None = None
    report: IndexReport | None = None
    error: str | None = None


@st.cache_resource(show_spinner=False)
def _background_sync(corpus: str, index_root: str) -> SyncState:
    state = SyncState()

    def run() -> None:
        runner = ProcessRunner(JOBS, None)  # the pages keep the interpreter lock meanwhile
        try:
            state.report = index_with_retry(Path(corpus), Path(index_root), attempts=30, wait=5.0, runner=runner)
        except Exception as exc:  # shown on the status page; searching goes on with the index as it is
            log.exception("bringing the index up to date at start-up failed")
            state.error = f"{exc.__class__.__name__} : {exc}"
        finally:
            runner.release()
            state.running = False
            state.finished = time.strftime("%Y-%m-%dT%H:%M:%S")

    threading.Thread(target=run, name="archive-sync", daemon=True).start()
    return state


def background_sync() -> SyncState:
    """Start (once) an incremental sync of the corpus folder; searching never waits for it."""
    return _background_sync(str(corpus_path()), str(index_path()))


@st.cache_resource(show_spinner=False)
def _watcher(corpus: str, index_root: str) -> Watcher | None:
    try:
        from indexer.watch import Watcher
    except ImportError:  # the watcher is optional
        return None
    from archive.config import feeds_dir
    from archive.lab import lab_path
    from archive.veille import FeedPublisher

    publisher = FeedPublisher(Path(index_root), lab_path(None, Path(index_root)), feeds_dir())
    # Its writes in a process of their own: the sessions keep the interpreter lock for their pages.
    return Watcher(Path(corpus), Path(index_root), jobs=min(JOBS, 2), after_batch=publisher, own_process=True)


def watcher() -> Watcher | None:
    """The drop-folder watcher of this process (not started until asked), or None if unavailable."""
    return _watcher(str(corpus_path()), str(index_path()))


def index_missing() -> bool:
    return needs_rebuild(index_path())


def old_index_searchable() -> bool:
    """An index of an older version that can be searched while the new one is built beside it."""
    try:
        return bool(getattr(engine(), "outdated", False))
    except Exception:  # missing or damaged: nothing to search meanwhile (failures are not cached)
        log.debug("no older index to search meanwhile", exc_info=True)
        return False


@st.cache_resource(show_spinner=False)
def _index_jobs(corpus: str, index_root: str) -> IndexJobs:
    return IndexJobs(Path(corpus), Path(index_root), JOBS)


def index_jobs() -> IndexJobs:
    """The server's queue of indexing runs (one worker thread for the whole process)."""
    return _index_jobs(str(corpus_path()), str(index_path()))


def start_indexing(
    key: str,
    label: str,
    after: Callable[[IndexJob], Any] | None = None,
    write: Callable[[], Any] | None = None,
    **options: Any,
) -> IndexJob:
    """Submit an indexing run to the server's worker (with the change it indexes, `write`, made by
    the worker first); its id goes to st.session_state[key] so that the page can show its progress
    with `job_panel(key, …)`."""
    job = index_jobs().submit(label, after, write, **options)
    st.session_state[key] = job.id
    return job


def report_summary(report: IndexReport) -> str:
    parts = [plural(report.documents, "document") + " dans l'index"]
    if report.added:
        parts.append(plural(report.added, "ajouté"))
    if report.updated:
        parts.append(plural(report.updated, "mis à jour", "mis à jour"))
    if report.removed:
        parts.append(plural(report.removed, "retiré"))
    if report.failed:
        parts.append(plural(len(report.failed), "fichier illisible", "fichiers illisibles"))
    return ", ".join(parts) + f" ({number(round(report.seconds, 1))} s)."
