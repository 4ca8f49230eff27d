"""Follow the corpus folder and keep the index in step with it.

Size (~600 lines): one state machine, the Watcher (events, settling, retries, status for the app);
its parts share the state its lock guards, so splitting them would spread that lock.

watchdog events only mark the tree dirty (the paths involved and the time of
the last event). One loop thread waits until nothing has moved for `settle`
seconds and the files involved show the same size and mtime across two looks,
then runs `index_corpus`: incremental and idempotent, it needs no list of
changes and handles additions, changes, moves and deletions alike. Names still
being written (`.part`, `.crdownload`, `~$…`, `.~lock…`, hidden files) are
ignored; `index_corpus(min_age=settle)` also leaves alone any file modified
after that decision, and the loop comes back for it.

The writer lock is held only while `index_corpus` runs; a busy index (another
writer: the app, `archive index`) is retried after a short wait, never fatal.

    watcher = Watcher(corpus, index, jobs=2)   # the app: one per (corpus, index) and process,
    watcher.start()                            #   e.g. in st.cache_resource; returns at once
    watcher.status                             # WatchStatus snapshot, for display (thread-safe)
    watcher.stop()                             # a run in progress is cut short safely

    watch(corpus, index)                       # the CLI: blocks until Ctrl-C / SIGTERM

The watcher owns its thread, its watchdog observer and its extraction workers
(warmed up at start, let go after `keep_warm` idle seconds). Other writers in
the same process (an upload followed by `index_with_retry`) take the lock in turn.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from archive.text import decimal, plural
from indexer.index_runner import IndexRunner, LocalRunner, ProcessRunner
from indexer.lock import IndexBusy
from indexer.pipeline import IndexReport
from indexer.sandbox import Limits
from indexer.scan import is_transient

log = logging.getLogger(f"archive.{__name__}")

__all__ = ["WatchState", "WatchStatus", "Watcher", "watch"]

Log = Callable[[str], None]


class WatchState(StrEnum):
    """What the watcher is doing; `label` is what researchers read in the app."""

    STOPPED = "stopped"
    STARTING = "starting"
    SYNCING = "syncing"
    IDLE = "idle"
    WAITING = "waiting"
    INDEXING = "indexing"
    BUSY = "busy"
    ERROR = "error"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    WatchState.STOPPED: "arrêté",
    WatchState.STARTING: "démarrage",
    WatchState.SYNCING: "synchronisation avec le dossier",
    WatchState.IDLE: "à jour",
    WatchState.WAITING: "changements en cours",
    WatchState.INDEXING: "indexation",
    WatchState.BUSY: "index occupé, nouvel essai bientôt",
    WatchState.ERROR: "erreur, nouvel essai bientôt",
}

_EVENTS = {"created", "modified", "moved", "deleted", "closed"}  # "opened"/"closed_no_write" are our own reads
_LOOK_LIMIT = 20_000  # files stat'ed under one changed folder before giving up on the second look


@dataclass(frozen=True)
class WatchStatus:
    """A snapshot of the watcher for display (the app) and tests."""

    state: WatchState = WatchState.STOPPED
    running: bool = False
    observer: str | None = None  # "inotify", "polling"…
    pending: int = 0  # changed paths not indexed yet
    runs: int = 0  # completed index_corpus runs (the first is the reconciliation)
    last_run: str | None = None  # local time of the last completed run
    last_report: dict[str, Any] | None = None
    last_error: str | None = None
    failed: int = 0  # files listed as unreadable after the last run
    progress: tuple[int, int] | None = None  # (done, total) while extracting
    synced: bool = False  # the start-up reconciliation is done
    idle: bool = False  # synced, nothing pending, not indexing


class _Stopped(BaseException):
    """Raised from the progress callback to end a run early when stop() is called.

    A BaseException, so index_corpus cancels its writer and releases the lock
    without treating it as a damaged index.
    """


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # the entries' own events carry the information
        paths = [event.src_path]
        if event.event_type == "moved":
            paths.append(event.dest_path)
        self._watcher._mark([os.fsdecode(p) for p in paths], event.event_type)


class Watcher:
    """Keeps `index` in step with `corpus` from a background thread.

    Start with start() (non-blocking), stop with stop(). On start it first
    reconciles the index with the folder (changes made while it was not
    running), then follows events. Never raises from its thread: problems are
    logged and shown in `status`, and retried.
    """

    def __init__(
        self,
        corpus: Path,
        index: Path,
        *,
        jobs: int = 1,
        settle: float = 1.0,
        log: Log | None = None,
        limits: Limits | None = None,
        polling: bool = False,
        poll_interval: float = 1.0,
        lock_timeout: float = 2.0,
        retry_wait: float = 2.0,
        max_delay: float = 15.0,
        rescan_every: float | None = 300.0,
        keep_warm: float | None = 600.0,
        after_batch: Callable[[IndexReport], object] | None = None,
        own_process: bool = False,
    ) -> None:
        """`settle`: seconds without events (and files unchanged) before indexing;
        `max_delay`: index anyway after that long under a continuous stream of
        events (recent files are then left for the next run); `polling`: use
        watchdog's PollingObserver (it is also the fallback when native events
        fail); `rescan_every`: a full pass now and then, in case an event was lost;
        `keep_warm`: seconds the extraction workers (parsers and language models
        loaded) are kept after the last run (None: as long as the watcher runs);
        `own_process`: index in a child process (the app: its sessions keep the interpreter lock).
        """
        self.corpus = Path(corpus).absolute()
        self.index = Path(index).absolute()
        self.jobs = max(1, jobs)
        self.settle = max(0.05, settle)
        self.limits = limits
        self.polling = polling
        self.poll_interval = poll_interval
        self.lock_timeout = lock_timeout
        self.retry_wait = retry_wait
        self.max_delay = max(max_delay, self.settle)
        self.rescan_every = rescan_every
        self.keep_warm = keep_warm
        self.after_batch = after_batch
        self._log = log or (lambda message: None)
        self._cond = threading.Condition()
        self._dirty: set[str] = set()
        self._first_event = 0.0  # monotonic time of the oldest unprocessed event
        self._last_event = 0.0
        self._events = 0  # counts marks, to notice events during a look
        self._last_pass = 0.0  # monotonic time of the last completed run
        self._known_failed: dict[str, str] = {}
        self._said: str | None = None  # the last busy/error message logged (said once per streak)
        # Warm workers, used from the loop thread only.
        self._runner: IndexRunner = (ProcessRunner if own_process else LocalRunner)(self.jobs, limits)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: Any = None
        self._status = WatchStatus()

    # -- public API -----------------------------------------------------------------

    def start(self) -> None:
        """Start watching (returns at once; the reconciliation runs in the background)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._set(state=WatchState.STARTING, running=True, synced=False, idle=False, last_error=None)
        try:
            self._observer, kind = self._start_observer()
        except Exception:  # e.g. the corpus folder does not exist: the caller is told
            self._set(state=WatchState.STOPPED, running=False)
            raise
        self._set(observer=kind)
        self._thread = threading.Thread(target=self._loop, name="archive-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; an indexing run in progress is cut short safely (the next run finishes it)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._observer is not None:
            try:
                self._observer.stop()
                self._observer.join(timeout)
            except Exception:  # an observer that failed to start has nothing to stop
                log.debug("the observer could not be stopped", exc_info=True)
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._set(state=WatchState.STOPPED, running=False, idle=False, progress=None)

    @property
    def status(self) -> WatchStatus:
        with self._cond:
            return replace(self._status, pending=len(self._dirty))

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request_sync(self) -> None:
        """Ask for a full pass soon, as if the whole folder had changed."""
        self._mark([str(self.corpus)], "sync")

    def wait_idle(self, timeout: float) -> bool:
        """Wait until synced with nothing pending; False on timeout (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status.idle:
                return True
            time.sleep(0.05)
        return self.status.idle

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- events -----------------------------------------------------------------------

    def _start_observer(self) -> tuple[Any, str]:
        handler = _Handler(self)
        if not self.polling:
            try:
                observer = Observer()
                observer.schedule(handler, str(self.corpus), recursive=True)
                observer.start()
                return observer, _observer_kind(observer)
            except Exception as exc:  # inotify limits (ENOSPC, EMFILE), unsupported file systems…
                self._log(
                    f"surveillance native indisponible ({exc.__class__.__name__}: {exc}) : "
                    f"examen du dossier toutes les {self.poll_interval:g} s"
                )
        observer = PollingObserver(timeout=self.poll_interval)
        observer.schedule(handler, str(self.corpus), recursive=True)
        observer.start()
        return observer, "polling"

    def _mark(self, paths: list[str], kind: str) -> None:
        relevant = [p for p in paths if self._relevant(p, kind)]
        if not relevant:
            return
        now = time.monotonic()
        with self._cond:
            if not self._dirty:
                self._first_event = now
            self._dirty.update(relevant)
            self._last_event = now
            self._events += 1
            self._status = replace(self._status, idle=False)
            self._cond.notify_all()

    def _relevant(self, path: str, kind: str) -> bool:
        """False for transient and hidden names, and for the index itself if it lives in the corpus."""
        absolute = Path(os.path.abspath(path))
        if absolute == self.index or self.index in absolute.parents:
            return False
        try:
            rel = absolute.relative_to(self.corpus)
        except ValueError:
            return False
        if not rel.parts:  # the corpus folder itself
            return kind in ("deleted", "moved", "sync")
        if any(part.startswith(".") for part in rel.parts):
            return False
        return not is_transient(rel.parts[-1])

    # -- the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        try:
            self._follow()
        finally:
            self._release_pool()

    def _follow(self) -> None:
        self._set(state=WatchState.SYNCING)
        self._log(f"synchronisation de {self.corpus} avec l'index {self.index}")
        while not self._stop.is_set() and not self._run(set(), reconcile=True):
            self._pause(self.retry_wait)
        self._set(synced=True)
        self._settled_state()
        if not self._dirty:  # pending changes come first (their run warms the workers anyway)
            self._warm_up()
        while not self._stop.is_set():
            with self._cond:
                if not self._dirty:
                    self._cond.wait(self._next_wakeup())
                if self._stop.is_set():
                    break
                has_changes = bool(self._dirty)
            if not has_changes and self.keep_warm is not None and time.monotonic() - self._last_pass >= self.keep_warm:
                self._release_pool()
            if has_changes:
                paths = self._settle()
                if paths is None:
                    continue  # more events came, files still growing, or stop
                if not self._run(paths):
                    self._pause(self.retry_wait)
            elif self._until_rescan() == 0.0:
                if not self._run(set()):
                    self._pause(self.retry_wait)
            self._settled_state()

    def _next_wakeup(self) -> float | None:
        waits = [self._until_rescan()]
        if self._runner.warm and self.keep_warm is not None:
            waits.append(max(0.0, self._last_pass + self.keep_warm - time.monotonic()))
        known = [w for w in waits if w is not None]
        return min(known) if known else None

    def _warm_up(self) -> int:
        """Have every worker load its parsers and models now rather than on the first dropped file;
        returns how many workers analysed their warm-up document (a failure is logged)."""
        if self._stop.is_set():
            return 0
        try:
            warmed, messages = self._runner.warm_up()
        except Exception as exc:  # only a head start: the first real run will say what is wrong
            log.debug("warming the extractors up failed", exc_info=True)
            self._log(f"préchauffage des extracteurs impossible ({exc.__class__.__name__}: {exc})")
            return 0
        for message in messages:
            self._log(message)
        return warmed

    def _release_pool(self) -> None:
        self._runner.release()

    def _until_rescan(self) -> float | None:
        """Seconds before the safety-net full pass is due (None: never)."""
        if self.rescan_every is None:
            return None
        return max(0.0, self._last_pass + self.rescan_every - time.monotonic())

    def _settle(self) -> set[str] | None:
        """The dirty paths once quiet and stable for `settle` seconds (then cleared), else None."""
        with self._cond:
            self._set_locked(state=WatchState.WAITING)
            while not self._stop.is_set():
                now = time.monotonic()
                quiet_for = now - self._last_event
                overdue = now - self._first_event >= self.max_delay
                if quiet_for >= self.settle or overdue:
                    break
                self._cond.wait(self.settle - quiet_for)
            if self._stop.is_set():
                return None
            overdue = time.monotonic() - self._first_event >= self.max_delay
            paths, seen = set(self._dirty), self._events
        if not overdue:
            first = _look(paths)
            if self._pause(min(self.settle, 0.5)) or self._events != seen or _look(paths) != first:
                return None  # still moving: wait for the next quiet period
        with self._cond:
            paths = set(self._dirty)
            self._dirty.clear()
            self._first_event = 0.0
        return paths

    def _run(self, paths: set[str], reconcile: bool = False) -> bool:
        """One index_corpus run; False (paths marked dirty again) when it must be retried."""
        self._set(state=WatchState.SYNCING if reconcile else WatchState.INDEXING, progress=None)

        def progress(done: int, total: int, label: str) -> None:
            if self._stop.is_set():
                raise _Stopped
            if total and label not in ("scan", "done"):
                self._set(progress=(done, total))

        try:
            report = self._runner.index(
                self.corpus, self.index, lock_timeout=self.lock_timeout, min_age=self.settle, progress=progress
            )
        except _Stopped:
            self._requeue(paths)
            return True
        except IndexBusy as exc:
            self._say_once("busy", f"{exc} : nouvel essai dans {self.retry_wait:g} s")
            self._requeue(paths)
            self._set(state=WatchState.BUSY, last_error=str(exc), progress=None)
            return False
        except Exception as exc:  # never let the thread die: say it, wait, try again
            log.debug("indexing run failed", exc_info=True)
            message = f"{exc.__class__.__name__}: {exc}"
            self._say_once(message, f"indexation impossible ({message}) : nouvel essai dans {self.retry_wait:g} s")
            self._requeue(paths)
            self._set(state=WatchState.ERROR, last_error=message, progress=None)
            return False
        if self._said is not None:
            self._log("indexation reprise")
            self._said = None
        self._after(report, reconcile)
        return True

    def _say_once(self, key: str, message: str) -> None:
        """Log a busy or error message once, not at every retry of the same trouble."""
        if self._said != key:
            self._log(message)
            self._said = key

    def _after(self, report: IndexReport, reconcile: bool) -> None:
        self._last_pass = time.monotonic()
        if report.deferred:  # written during the run's scan: come back once they settle
            self._mark([str(self.corpus / rel) for rel in report.deferred], "modified")
        if report.repaired:
            self._log(report.repaired)
        changed = report.added or report.updated or report.removed
        if reconcile or changed or report.repaired:
            self._log(
                f"{report.documents} documents ({report.added} ajoutés, {report.updated} mis à jour, "
                f"{report.removed} retirés), {plural(len(report.failed), 'illisible')}, en {decimal(report.seconds)} s"
            )
        failed = {f["path"]: f["reason"] for f in report.failed}
        for path, reason in failed.items():
            if self._known_failed.get(path) != reason:
                self._log(f"illisible : {path} : {reason}")
        self._known_failed = failed
        if self.after_batch is not None and (reconcile or changed):
            try:
                self.after_batch(report)
            except Exception as exc:  # the index is fine; say it and go on
                log.debug("after_batch failed", exc_info=True)
                self._log(f"flux de veille non mis à jour ({exc.__class__.__name__}: {exc})")
        data = {**report.to_dict(), "deferred": report.deferred, "repaired": report.repaired}
        with self._cond:
            self._set_locked(
                runs=self._status.runs + 1,
                last_run=time.strftime("%Y-%m-%dT%H:%M:%S"),
                last_report=data,
                last_error=None,
                failed=len(report.failed),
                progress=None,
            )

    def _requeue(self, paths: set[str]) -> None:
        if paths:
            self._mark(sorted(paths), "modified")

    def _settled_state(self) -> None:
        with self._cond:
            if self._status.state in (WatchState.BUSY, WatchState.ERROR) and self._dirty:
                return
            idle = not self._dirty and self._status.synced
            self._set_locked(state=WatchState.IDLE if idle else WatchState.WAITING, idle=idle)

    def _pause(self, seconds: float) -> bool:
        """Sleep, waking early on stop(); True if stopping."""
        return self._stop.wait(seconds)

    def _set(self, **changes: Any) -> None:
        with self._cond:
            self._set_locked(**changes)

    def _set_locked(self, **changes: Any) -> None:
        self._status = replace(self._status, **changes)


def _observer_kind(observer: Any) -> str:
    name = type(observer).__name__.lower()
    for kind in ("inotify", "fsevents", "kqueue", "windows", "polling"):
        if kind in name:
            return kind
    return name


def _look(paths: set[str]) -> dict[str, tuple[int, int] | None]:
    """(size, mtime) of each changed file, and of the files under each changed folder."""
    out: dict[str, tuple[int, int] | None] = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out[path] = None
            continue
        if not os.path.isdir(path):
            out[path] = (st.st_size, st.st_mtime_ns)
            continue
        for dirpath, _dirs, files in os.walk(path):
            for name in files:
                if len(out) > _LOOK_LIMIT:
                    return out
                full = os.path.join(dirpath, name)
                try:
                    fst = os.stat(full)
                    out[full] = (fst.st_size, fst.st_mtime_ns)
                except OSError:
                    out[full] = None
    return out


def watch(
    corpus: Path,
    index: Path,
    *,
    jobs: int = 1,
    settle: float = 1.0,
    log: Log | None = None,
    **options: Any,
) -> None:
    """Watch until Ctrl-C or SIGTERM (the `archive watch` command); returns after a clean stop."""
    out = log or print
    lock = threading.Lock()

    def say(message: str) -> None:  # the loop thread logs too: keep lines whole
        with lock:
            out(message)

    watcher = Watcher(corpus, index, jobs=jobs, settle=settle, log=say, **options)
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    watcher.start()
    say(f"surveillance de {watcher.corpus} ({watcher.status.observer}) ; Ctrl-C pour arrêter")
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        say("arrêt de la surveillance…")
        watcher.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    say("surveillance arrêtée")
