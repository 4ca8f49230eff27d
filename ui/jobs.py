"""Indexing runs started from the app, done by one worker thread of the server process.

A run started in the page itself was cancelled by any click during it: Streamlit stops a
script run to start the next one by raising in it, and that exception reached the progress
callback. Here a page only submits a job; the server's worker thread runs the jobs one after
the other, whatever the sessions do, and pages poll a job's progress (see `job_panel`).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import streamlit as st

from indexer.index_runner import ProcessRunner
from indexer.pipeline import IndexReport
from indexer.upload import index_with_retry
from ui.text import md

log = logging.getLogger(f"archive.{__name__}")

KEEP_FINISHED = 50  # finished jobs remembered, for sessions that come back to read the outcome
# The indexing process and its extraction workers (with the French model) stay up this long after
# the last job: starting them took ~5 s of a one-document correction, a warm run takes ~0.1 s.
KEEP_WARM_SECONDS = 300.0
_WARM_UP = object()  # a queue item that starts the indexing process before a job needs it
# Nobody waits in a page for these runs: while another writer (the watcher's batch, `archive index`)
# holds the index, try again for a few minutes rather than fail a change the researcher asked for.
ATTEMPTS, WAIT = 12, 5.0


class JobState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class IndexJob:
    id: int
    label: str
    options: dict[str, Any]
    # Run in the worker thread once the indexing is over: turns the report into the page's outcome.
    after: Callable[[IndexJob], Any] | None = None
    # The change to the archive (a sidecar, a decision) that this run indexes, made by the worker
    # just before it: the page only submits, so no rerun can fall between the write and its indexing.
    write: Callable[[], Any] | None = None
    wrote: bool = False  # the write was made (the job may still fail at indexing)
    written: Any = None  # what the write returned
    state: JobState = JobState.WAITING
    progress: tuple[int, int, str] = (0, 0, "")
    report: IndexReport | None = None
    error: str | None = None
    result: Any = None
    finished: bool = False
    submitted: float = field(default_factory=time.monotonic)


class IndexJobs:
    """The queue of indexing jobs of one corpus and index, and the thread that runs them."""

    def __init__(self, corpus: Path, index_root: Path, jobs: int, keep_warm: float = KEEP_WARM_SECONDS) -> None:
        self.corpus, self.index_root = corpus, index_root
        # The runs happen in a process of their own (the pages keep the interpreter lock), started
        # for a job (or by prepare) and ended once no job came for keep_warm seconds.
        self._runner = ProcessRunner(jobs, None)
        self.keep_warm = keep_warm
        self._warming = False
        self._queue: queue.Queue[IndexJob | object] = queue.Queue()
        self._jobs: dict[int, IndexJob] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="archive-index-jobs", daemon=True)
        self._thread.start()

    def submit(
        self,
        label: str,
        after: Callable[[IndexJob], Any] | None = None,
        write: Callable[[], Any] | None = None,
        **options: Any,
    ) -> IndexJob:
        """Queue a run (index_corpus options); a same plain run already waiting is reused."""
        with self._lock:
            for job in self._jobs.values():
                plain = job.after is None and after is None and job.write is None and write is None
                if job.state is JobState.WAITING and plain and job.options == options:
                    return job
            job = IndexJob(next(self._ids), label, options, after, write)
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.finished]
            for old in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[old.id]
        self._queue.put(job)
        return job

    def get(self, job_id: int | None) -> IndexJob | None:
        with self._lock:
            return self._jobs.get(job_id) if job_id is not None else None

    def busy(self) -> bool:
        with self._lock:
            return any(not j.finished for j in self._jobs.values())

    def prepare(self) -> None:
        """Start the indexing process and its workers now, if they are not up: a page where a
        researcher is about to change the archive (the correction form) calls it, so that the
        change is indexed without waiting for them."""
        with self._lock:
            if self._warming or self._runner.warm:
                return
            self._warming = True
        self._queue.put(_WARM_UP)

    def _warm_up(self) -> None:
        try:
            _, messages = self._runner.warm_up()
            for message in messages:
                log.warning("%s", message)
        except Exception:  # the next job starts the process again and reports what fails
            log.exception("starting the indexing process ahead of a job failed")
        finally:
            with self._lock:
                self._warming = False

    def _next(self) -> IndexJob | object:
        """The next queue item; the indexing process is ended after keep_warm seconds without one."""
        while True:
            try:
                return self._queue.get(timeout=self.keep_warm)
            except queue.Empty:
                self._runner.release()

    def _work(self) -> None:
        while True:
            job = self._next()
            if job is _WARM_UP:
                self._warm_up()
                continue
            assert isinstance(job, IndexJob)
            job.state = JobState.RUNNING

            def progress(done: int, total: int, what: str, job: IndexJob = job) -> None:
                job.progress = (done, total, what)

            def busy(attempt: int, job: IndexJob = job) -> None:
                job.progress = (0, 0, f"index occupé, nouvel essai ({attempt})")

            try:
                if job.write is not None:
                    job.progress = (0, 0, "enregistrement de la modification…")
                    job.written = job.write()
                    job.wrote = True
                job.report = index_with_retry(
                    self.corpus,
                    self.index_root,
                    attempts=ATTEMPTS,
                    wait=WAIT,
                    progress=progress,
                    on_busy=busy,
                    runner=self._runner,
                    **job.options,
                )
                if job.after is not None:
                    job.result = job.after(job)
                job.state = JobState.DONE
            except Exception as exc:  # shown in the page that asked; the next job runs anyway
                log.exception("indexing job failed: %s", job.label)
                job.error = str(exc) or exc.__class__.__name__
                job.state = JobState.FAILED
                if job.after is not None:
                    try:
                        job.result = job.after(job)
                    except Exception:
                        log.exception("what follows a failed indexing job failed: %s", job.label)
                        job.result = None
            finally:
                job.finished = True


def job_pending(key: str) -> bool:
    """A job started under st.session_state[key] is not over yet (a second click must not
    write or queue the same change again)."""
    from ui.runtime import index_jobs

    job = index_jobs().get(st.session_state.get(key))
    return job is not None and not job.finished


def job_panel(key: str, on_finish: Callable[[IndexJob], None]) -> bool:
    """Progress of the job whose id is in st.session_state[key]; True while one is pending.

    Polls every second; when the job is over, calls on_finish(job) once and reruns the page.
    Clicking elsewhere meanwhile only stops the polling, never the job.
    """
    from ui.runtime import index_jobs

    job = index_jobs().get(st.session_state.get(key))
    if job is None:
        st.session_state.pop(key, None)
        return False
    _poll(key, on_finish)
    return True


@st.fragment(run_every=1.0)
def _poll(key: str, on_finish: Callable[[IndexJob], None]) -> None:
    from ui.runtime import index_jobs

    job = index_jobs().get(st.session_state.get(key))
    if job is None:
        return
    if not job.finished:
        done, total, what = job.progress
        if job.state is JobState.WAITING:
            text = f"{job.label} : en attente de la fin d'une autre indexation…"
        elif what == "scan":
            text = f"{job.label} : lecture du dossier…"
        elif total:
            text = f"{job.label} : {done}/{total} — {md(what)}"
        else:
            text = f"{job.label} : {md(what) or 'préparation…'}"
        st.progress(min(done / total, 1.0) if total else 0.0, text=text)
        st.caption("Vous pouvez continuer à naviguer : l'indexation se poursuit sur le serveur.")
        return
    st.session_state.pop(key, None)
    on_finish(job)
    st.rerun()
