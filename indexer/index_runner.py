"""Indexing runs (the watcher's, the app's jobs), with extraction workers kept warm between runs: in
the caller's process (``LocalRunner``) or in a process of its own (``ProcessRunner``).

Why a process of its own: Whoosh's commit and segment merge are Python code. In the app's server
process they hold the interpreter lock while the sessions draw their pages (a profile during
benchmarks/bench_load.py: half of the server's Python time was the watcher's indexing, and the
pages waited). In a child process the writes take a core of their own, at a lower priority than the
pages. The write lock is a file lock: the child takes it exactly as the server would.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from archive.gazetteer import refresh_vocabulary
from indexer.pipeline import Analysed, ExtractionContext, IndexReport, index_corpus, record_or_reason
from indexer.sandbox import ExtractorPool, Limits, start_connected

Progress = Callable[[int, int, str], None]
WARM_TEXT = "Communiqué du 17 septembre 2020 : la CGT et Bpifrance soutiennent l'usine d'Alès (Gard).\n"
WRITER_NICENESS = 5  # the child's pages-first priority: sessions' scripts run before its writes
POLL_SECONDS = 0.5  # how often the parent checks that the child is alive while it waits


class IndexRunner(Protocol):
    """What the watcher and the app's jobs ask of whoever runs their indexing."""

    @property
    def warm(self) -> bool: ...

    def index(self, corpus: Path, index: Path, *, progress: Progress | None = None, **options: Any) -> IndexReport:
        """One ``index_corpus`` run with ``options`` (its keyword arguments: lock_timeout, min_age,
        only_paths, retry_failed, rebuild, reextract); ``progress`` may raise to stop it (then
        re-raised here)."""
        ...

    def warm_up(self) -> tuple[int, list[str]]:
        """Have every worker analyse a small document now: (workers warmed, messages to log)."""
        ...

    def release(self) -> None:
        """Stop the warm workers (the next run starts them again)."""
        ...


class LocalRunner:
    """Runs in the caller's process; use from one thread (the pool's owner)."""

    def __init__(self, jobs: int, limits: Limits | None) -> None:
        self.jobs = max(1, jobs)
        self.limits = limits or Limits()
        self._pool: ExtractorPool | None = None

    @property
    def warm(self) -> bool:
        return self._pool is not None

    def _warm_pool(self) -> ExtractorPool:
        # An edited vocabulary needs no new workers: each forgets what it compiled when a
        # vocabulary file changed (record_or_reason → gazetteer.refresh_vocabulary).
        if self._pool is None:
            self._pool = ExtractorPool(self.jobs, self.limits, finish=record_or_reason)
            self._pool.start()
        return self._pool

    def index(self, corpus: Path, index: Path, *, progress: Progress | None = None, **options: Any) -> IndexReport:
        return index_corpus(
            corpus, index, jobs=self.jobs, limits=self.limits, progress=progress, pool=self._warm_pool(), **options
        )

    def warm_up(self) -> tuple[int, list[str]]:
        warmed, messages = 0, []
        pool = self._warm_pool()
        with tempfile.TemporaryDirectory(prefix="archive-warm-") as tmp:
            paths = [Path(tmp) / f"echauffement-{n}.txt" for n in range(self.jobs)]
            context = {}
            for path in paths:
                path.write_text(WARM_TEXT, encoding="utf-8")
                context[path] = ExtractionContext("0" * 16, [path.name], "0" * 64, len(WARM_TEXT))
            for _path, outcome in pool.imap_unordered(paths, context):  # one file per idle worker
                if isinstance(outcome, Analysed):
                    warmed += 1
                else:  # its first real file will load what failed here
                    messages.append(f"préchauffage des extracteurs incomplet : {outcome}")
        return warmed, messages

    def release(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


class RunStopped(BaseException):
    """The parent asked the child to stop its run (the next run finishes the work). A
    BaseException, like the watcher's own, so that index_corpus cancels its writer and releases
    the lock instead of reading it as a failed run."""


# -- the child process ------------------------------------------------------------------------

# Started as a program of its own, like the extraction workers (sandbox.start_connected).


def _child_main(conn: Connection) -> None:
    """Loop: receive (call, arguments), answer ("done", result) or ("error", exception), with
    ("progress", (done, total, label)) messages during an indexing run; None or EOF ends it."""
    try:
        os.nice(WRITER_NICENESS)
    except OSError:  # not allowed: the same priority as the pages, still off their interpreter lock
        pass
    jobs, limits = conn.recv()
    runner = LocalRunner(jobs, limits)

    def progress(done: int, total: int, label: str) -> None:
        while conn.poll():
            if conn.recv() == STOP:
                raise RunStopped
        conn.send(("progress", (done, total, label)))

    try:
        while True:
            message = conn.recv()
            if message is None:
                return
            if message == STOP:  # came after the run it was meant for had ended
                continue
            call, args = message
            try:
                if call == "index":
                    refresh_vocabulary()  # what this process compiled, as its workers do per document
                    corpus, index, options = args
                    result: object = runner.index(corpus, index, progress=progress, **options)
                elif call == "warm_up":
                    result = runner.warm_up()
                else:
                    raise ValueError(f"unknown call {call!r}")
                conn.send(("done", result))
            except RunStopped:
                conn.send(("stopped", None))
            except Exception as exc:
                _send_error(conn, exc)
    except EOFError:  # the parent is gone
        pass
    finally:
        runner.release()


def _send_error(conn: Connection, exc: Exception) -> None:
    try:
        conn.send(("error", exc))
    except Exception:  # an exception that does not pickle: its text
        conn.send(("error", RuntimeError(f"{exc.__class__.__name__}: {exc}")))


STOP = "stop"


# -- the parent's side -------------------------------------------------------------------------


class ProcessRunner:
    """Runs in a child process started at the first call, and again after it died (an edited
    vocabulary is read again in place, see LocalRunner). Use from one thread: the child ends with
    the thread that started it."""

    def __init__(self, jobs: int, limits: Limits | None) -> None:
        self.jobs = max(1, jobs)
        self.limits = limits
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._warm = False

    @property
    def warm(self) -> bool:
        return self._process is not None and self._warm

    def index(self, corpus: Path, index: Path, *, progress: Progress | None = None, **options: Any) -> IndexReport:
        report = self._call("index", (Path(corpus), Path(index), options), progress)
        assert isinstance(report, IndexReport)
        return report

    def warm_up(self) -> tuple[int, list[str]]:
        warmed, messages = self._call("warm_up", ())
        return warmed, messages

    def release(self) -> None:
        process, conn = self._process, self._conn
        self._process, self._conn, self._warm = None, None, False
        if process is None or conn is None:
            return
        try:
            conn.send(None)
            process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):  # dead already, or stuck: end it
            process.kill()
            process.wait()
        finally:
            conn.close()

    def _started(self) -> Connection:
        if self._process is not None and self._process.poll() is not None:
            self.release()
        if self._process is None:
            self._process, self._conn = start_connected("indexer.index_runner", "_child_main")
            self._conn.send((self.jobs, self.limits))
        assert self._conn is not None
        return self._conn

    def _call(self, call: str, args: tuple, progress: Progress | None = None) -> object:
        conn = self._started()
        self._send(conn, (call, args))
        stopped: BaseException | None = None  # what the caller's progress raised to stop the run
        while True:
            tag, value = self._receive(conn)
            if tag == "progress":
                if stopped is None and progress is not None:
                    try:
                        progress(*value)
                    except BaseException as exc:  # ask the child to stop at its next step, wait for it
                        stopped = exc
                        self._send(conn, STOP)
                continue
            self._warm = True
            if stopped is not None:
                raise stopped
            if tag == "error":
                raise value
            if tag == "stopped":
                raise RunStopped
            return value

    def _send(self, conn: Connection, message: object) -> None:
        try:
            conn.send(message)
        except OSError as exc:
            self.release()
            raise RuntimeError(GONE) from exc

    def _receive(self, conn: Connection) -> tuple[str, object]:
        """The child's next message (RuntimeError when it is gone: killed, out of memory…)."""
        try:
            while not conn.poll(POLL_SECONDS):
                if self._process is None or self._process.poll() is not None:
                    raise EOFError
            return conn.recv()
        except (EOFError, OSError) as exc:
            self.release()
            raise RuntimeError(GONE) from exc


GONE = "le processus d'indexation s'est arrêté en cours de route"
