"""Run extraction in killable worker processes with time and memory limits.

Workers are long-lived (one per job) fresh interpreters started with
subprocess: they inherit neither the parent's threads and locks nor its
__main__ module. Each worker caps its own address space (RLIMIT_AS) and dies
with its parent (PR_SET_PDEATHSIG on Linux, EOF on its pipe elsewhere). The
parent enforces the per-file time limit by SIGKILLing the worker and starting a
fresh one.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import Any

from indexer.extract import DEFAULT_MAX_BYTES, Extraction, ExtractionError, extract

__all__ = ["Limits", "ExtractorPool", "extract_isolated", "die_with_parent", "MEMORY_REASON"]

# What a worker does with an extraction before sending it back: finish(path, extraction, context)
# (a module-level function: see ExtractorPool).
Finish = Callable[[Path, Extraction, Any], object]

MEMORY_REASON = "mémoire dépassée pendant l'extraction"
UNREADABLE_REASON = (
    "réponse illisible du processus d'extraction : relancez l'indexation (programme mis à jour pendant la lecture ?)"
)
_EXIT_MEMORY = 86  # worker exit status when it cannot even report a MemoryError
_MAX_TASKS_PER_WORKER = 500  # recycle workers to bound slow leaks/fragmentation
# The time limit counts the CPU a worker spends on a file, so that a machine busy with
# other work does not fail small files; a worker that waits without computing (a hang)
# is stopped once this many times the limit has passed on the clock.
_WALL_FACTOR = 4.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_STOP_GRACE = 2.0  # seconds a worker gets to exit cleanly on close()


@dataclass(frozen=True)
class Limits:
    """Per-file limits applied by the sandbox."""

    seconds: float = 60.0
    max_bytes: int = DEFAULT_MAX_BYTES  # input file size
    memory_bytes: int = 1024 * 2**20  # RLIMIT_AS of each worker


def extract_isolated(path: Path, limits: Limits = Limits()) -> Extraction:  # noqa: B008 - frozen
    """Extract one file in a throw-away worker; raise ExtractionError on failure."""
    with ExtractorPool(1, limits) as pool:
        for _path, outcome in pool.imap_unordered([Path(path)]):
            if isinstance(outcome, ExtractionError):
                raise outcome
            return outcome
    raise ExtractionError("l'extraction a échoué (aucun résultat)")  # unreachable


def timeout_reason(seconds: float) -> str:
    """Reason reported when a file exceeds the time limit."""
    shown = f"{seconds:g}".replace(".", ",")
    return f"extraction interrompue après {shown} s (fichier trop complexe ?)"


def crash_reason(exitcode: int | None) -> str:
    """Reason reported when a worker died while extracting."""
    # pdfium (C++) aborts when an allocation fails under the worker's memory limit (SIGABRT).
    if exitcode == _EXIT_MEMORY or exitcode == -signal.SIGABRT:
        return MEMORY_REASON
    if exitcode is not None and exitcode < 0:
        return f"l'extraction a échoué (processus arrêté : signal {-exitcode})"
    return f"l'extraction a échoué (processus terminé, code {exitcode})"


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------

# Run by `python -c` in a child program: adopt the parent's sys.path, become its child, then serve.
_BOOTSTRAP = """\
import sys
from multiprocessing.connection import Connection
conn = Connection(int(sys.argv[1]))
sys.path[:] = conn.recv()
from indexer.sandbox import _as_child
_as_child(int(sys.argv[2]))
from {module} import {function}
{function}(conn)
"""


def _as_child(parent_pid: int) -> None:
    """Die with the parent, and leave Ctrl-C to it."""
    die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_connected(
    module: str, function: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, Connection]:
    """Start a fresh interpreter that runs ``module.function(conn)`` with this process's sys.path,
    connected to this one by a socket pair and ending with it; returns the process and this side's end.

    A program of its own rather than a multiprocessing child: spawning imports the parent's
    __main__ again (a Streamlit script, a test file since deleted), forking copies a process that
    has threads, and a forkserver keeps the environment of the day it started."""
    ours, theirs = socket.socketpair()
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _BOOTSTRAP.format(module=module, function=function),
                str(theirs.fileno()),
                str(os.getpid()),
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=env,
        )
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    conn.send(list(sys.path))
    return process, conn


def _worker_main(conn: Connection) -> None:
    """Loop: receive a path, extract it, send back ("ok", Extraction) or ("error", reason)."""
    limits: Limits = conn.recv()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    _limit_memory(limits.memory_bytes)
    try:
        while True:
            message = conn.recv()  # EOFError when the parent is gone
            if message is None:
                return
            reply = _run_one(message, limits.max_bytes)
            del message
            conn.send(reply)
            del reply
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except (EOFError, OSError):
        return


def _run_one(message: str | tuple[str, Finish, object], max_bytes: int) -> tuple[str, object]:
    finish, context = None, None
    if isinstance(message, tuple):  # (path, finish, context): post-process in the worker
        path, finish, context = message
    else:
        path = message
    try:
        extraction = extract(Path(path), max_bytes)
        if finish is None:
            return ("ok", extraction)
        return ("ok", finish(Path(path), extraction, context))
    except ExtractionError as exc:
        return ("error", exc.reason)
    except MemoryError:
        return ("memory", None)
    except RecursionError:
        return ("error", "l'extraction a échoué (structure trop imbriquée)")
    except Exception as exc:  # a bug in a parser must not kill the worker
        return ("error", f"l'extraction a échoué (erreur interne : {type(exc).__name__})")


def die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (no-op elsewhere).

    Workers call it first; OCR passes it as ``preexec_fn`` to its pdftoppm and tesseract
    processes, so that a worker killed at its time limit leaves none behind."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _limit_memory(memory_bytes: int) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


# --------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------


@dataclass
class _Task:
    path: Path
    attempt: int = 0
    context: object = None


class _Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, limits: Limits) -> None:
        # The worker's temporary folder (OCR page images…), removed by this process when the
        # worker ends: a worker killed at its time limit cannot clean up after itself.
        self.scratch = tempfile.mkdtemp(prefix="archive-worker-")
        try:
            self.process, self.conn = start_connected(
                "indexer.sandbox", "_worker_main", env={**os.environ, "TMPDIR": self.scratch}
            )
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self.conn.send(limits)
        self.task: _Task | None = None
        self.deadline = 0.0
        self.done = 0
        self.seconds = 0.0
        self.started = 0.0
        self.cpu_at_start: float | None = None

    def send(self, task: _Task, seconds: float, finish: Finish | None = None) -> None:
        path = os.fspath(Path(task.path).absolute())
        self.cpu_at_start = self.cpu_seconds()
        self.conn.send(path if finish is None else (path, finish, task.context))
        self.task = task
        self.seconds = seconds
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.done += 1

    def cpu_seconds(self) -> float | None:
        """CPU time the worker process has used so far (None where /proc cannot tell)."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime
        except (OSError, IndexError, ValueError):
            return None

    def out_of_time(self) -> bool:
        """The file used its CPU time, or the clock ran past the hang guard.

        When the clock deadline passes with CPU time left (the machine is busy), the
        deadline moves to when that CPU time could at the earliest be used up.
        """
        now = time.monotonic()
        if now < self.deadline:
            return False
        cpu_now = self.cpu_seconds()
        if self.cpu_at_start is None or cpu_now is None:
            return True
        used = cpu_now - self.cpu_at_start
        if used >= self.seconds or now - self.started >= self.seconds * _WALL_FACTOR:
            return True
        self.deadline = min(now + max(self.seconds - used, 0.2), self.started + self.seconds * _WALL_FACTOR)
        return False

    def exitcode(self, grace: float = 0.0) -> int | None:
        """Exit status (negative = signal) or None while running, waiting up to `grace` s."""
        try:
            return self.process.wait(grace) if grace else self.process.poll()
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> int | None:
        """SIGKILL (if still running) and reap; return the exit status."""
        if self.process.poll() is None:
            try:
                self.process.kill()
            except OSError:
                pass
        self.conn.close()
        status = self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)
        return status


class ExtractorPool:
    """N worker processes extracting in parallel, each task under the same limits.

    A hung, crashed or memory-exhausted worker is replaced. Use as a context
    manager; imap_unordered(paths) yields (path, Extraction | ExtractionError).

    `finish` moves post-processing into the workers: each worker then calls
    finish(path, extraction, context) and the pool yields its (picklable) return
    value instead of the Extraction; `context` of imap_unordered maps a path to
    its context argument. The workers are separate programs: `finish` reaches
    them pickled, that is by its module and name, so it must be a module-level
    function (not a lambda, a closure or a bound method), imported there once.
    Not thread-safe: iterate from one thread at a time, the one that owns the
    pool (on Linux workers die when the thread that started them exits).
    """

    def __init__(self, jobs: int, limits: Limits = Limits(), finish: Finish | None = None) -> None:  # noqa: B008
        self.jobs = max(1, int(jobs))
        self.limits = limits
        self.finish = finish
        self._workers: list[_Worker] = []
        self._closed = False

    def __enter__(self) -> ExtractorPool:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers (done by __enter__)."""
        if self._closed:
            raise RuntimeError("ExtractorPool is closed")
        while len(self._workers) < self.jobs:
            self._workers.append(_Worker(self.limits))

    def close(self) -> None:
        """Stop every worker; idempotent."""
        self._closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.task is None:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + _STOP_GRACE
        for worker in workers:
            if worker.task is None:
                worker.exitcode(max(0.01, deadline - time.monotonic()))
            worker.kill()

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers (diagnostics and tests)."""
        return [worker.process.pid for worker in self._workers]

    def imap_unordered(
        self, paths: Iterable[Path], context: Mapping[Path, object] | None = None
    ) -> Iterator[tuple[Path, Extraction | ExtractionError]]:
        """Extract every path; yield (path, result) in completion order."""
        self.start()
        context = context or {}
        pending = iter(paths)
        retries: deque[_Task] = deque()
        exhausted = False
        try:
            while True:
                for index, worker in enumerate(self._workers):
                    if worker.task is not None:
                        continue
                    task = retries.popleft() if retries else None
                    if task is None and not exhausted:
                        path = next(pending, None)
                        exhausted = path is None
                        task = None if path is None else _Task(path, context=context.get(path))
                    if task is None:
                        break
                    self._dispatch(index, task)
                busy = [worker for worker in self._workers if worker.task is not None]
                if not busy:
                    return
                timeout = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
                ready = wait([worker.conn for worker in busy], timeout)
                for worker in busy:
                    outcome = self._collect(worker, worker.conn in ready, retries)
                    if outcome is not None:
                        yield outcome
        finally:
            self._abandon_running()

    map_unordered = imap_unordered

    def _dispatch(self, index: int, task: _Task) -> None:
        """Send a task, replacing the worker first if it died or is worn out."""
        worker = self._workers[index]
        if worker.exitcode() is not None or worker.done >= _MAX_TASKS_PER_WORKER:
            self._replace(index)  # returns the old exit status, not the new worker
            worker = self._workers[index]
        try:
            worker.send(task, self.limits.seconds, self.finish)
        except OSError:  # died between the check and the send
            self._replace(index)
            worker = self._workers[index]
            worker.send(task, self.limits.seconds, self.finish)

    def _collect(
        self, worker: _Worker, readable: bool, retries: deque[_Task]
    ) -> tuple[Path, Extraction | ExtractionError] | None:
        """Result of a busy worker if it finished, crashed or timed out; else None."""
        task = worker.task
        assert task is not None
        index = self._workers.index(worker)
        if readable:
            try:
                kind, payload = worker.conn.recv()
            except (EOFError, OSError):  # the worker died without answering
                exitcode = self._replace(index, grace=1.0)
                if task.attempt == 0 and exitcode != _EXIT_MEMORY:
                    retries.append(_Task(task.path, attempt=1, context=task.context))  # maybe killed from outside
                    return None
                return task.path, ExtractionError(crash_reason(exitcode))
            except Exception as exc:  # an answer this process cannot read back, e.g. code upgraded mid-run
                self._replace(index)
                return task.path, ExtractionError(f"{UNREADABLE_REASON} : {exc.__class__.__name__} : {exc}")
            worker.task = None
            if kind == "ok":
                return task.path, payload  # type: ignore[return-value]
            if kind == "memory":
                self._replace(index)  # its heap may be in a sorry state
                return task.path, ExtractionError(MEMORY_REASON)
            return task.path, ExtractionError(str(payload))
        if worker.out_of_time():
            self._replace(index)
            return task.path, ExtractionError(timeout_reason(self.limits.seconds))
        return None

    def _replace(self, index: int, grace: float = 0.0) -> int | None:
        """Kill worker `index`, start a fresh one in its slot; return the old exit status."""
        old = self._workers[index]
        if grace:
            old.exitcode(grace)  # let a dying process finish, to read its real status
        exitcode = old.kill()
        self._workers[index] = _Worker(self.limits)
        return exitcode

    def _abandon_running(self) -> None:
        """Iteration stopped early: results still being computed are unwanted."""
        for index, worker in enumerate(self._workers):
            if worker.task is not None:
                if self._closed:
                    worker.kill()
                else:
                    self._replace(index)
