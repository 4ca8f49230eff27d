"""Searches run in a pool of separate processes, each with its own engine on the same index.

Why: the app serves every session from one Python process, so a search that computes for its
whole time budget (a query of prefixes and fuzzy words) holds the interpreter lock, and the other
sessions' pages wait behind it (measured by benchmarks/bench_load.py). In a pool process it only
takes a core. The other engine methods (documents, timelines, facets) stay in the caller's engine.

By default (``only_costly``) only the queries that may compute for long go to the pool
(``search_logic.limits.costly``); the others are answered in the caller's process, without the
cost of sending a request and its answer between processes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import weakref
from concurrent.futures import BrokenExecutor, CancelledError, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest, SearchResult
from archive.search_logic.limits import costly

log = logging.getLogger(__name__)

_worker_engine: SearchEngine | None = None


# The process for costly queries yields the cores to the app: on a busy server, the others'
# searches and pages take them first, and the costly query, bound by its time budget in
# wall-clock seconds, answers with what it found by then.
COSTLY_NICENESS = 10
# Processes for costly queries: one researcher's costly search does not wait behind another's
# (a second process starts only when a costly search finds the first busy).
COSTLY_PROCESSES = 2
PARENT_CHECK_SECONDS = 1.0
# Past its time budget, how long a search process may take to answer before the app answers
# without it (a process starved of CPU by a saturated machine checks its budget late).
ANSWER_GRACE_SECONDS = 7.0
BUSY_NOTICE = (
    "Le serveur est trop occupé pour calculer cette recherche maintenant ({seconds} s sans réponse) : "
    "réessayez dans un moment, ou précisez la requête (moins de mots en OR, un début de mot plus long)."
)


def _yield_to_the_app(niceness: int) -> None:
    """Linux: leave the app's scheduling group (an autogroup follows the session, and a group's
    share of the cores does not depend on its processes' niceness: at nice +10 inside the app's
    group, a costly query still took a whole core from everything outside the app) and make the
    new group the least entitled. Elsewhere, or where refused: ``niceness`` only. Not the idle
    policy: on a saturated machine an idle process gets no CPU at all, and its search no answer."""
    try:
        os.setsid()
        Path("/proc/self/autogroup").write_text("19")
    except OSError:  # not Linux, no autogroups, or already a session leader
        pass
    try:
        os.nice(niceness)
    except OSError:  # not allowed: the same priority as the app
        pass


def _exit_with(parent_pid: int) -> None:
    """End this process once its parent is gone. A pool worker waits on its task queue, which a
    parent killed outright (SIGKILL, out of memory) never closes: the worker lived on, holding an
    engine. PR_SET_PDEATHSIG would not do: it follows the thread that started the worker, a
    page's script thread that ends after every run."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _open(index_root: str, parent_pid: int, niceness: int = 0) -> None:
    global _worker_engine
    _exit_with(parent_pid)
    if niceness:
        _yield_to_the_app(niceness)
    _worker_engine = open_engine(Path(index_root), allow_outdated=True)


def _search(request: SearchRequest, time_budget: float) -> SearchResult:
    assert _worker_engine is not None, "the pool's initializer opens the engine"
    _worker_engine.time_budget = time_budget
    return _worker_engine.search(request)


def _busy(request: SearchRequest, waited: float) -> SearchResult:
    notice = BUSY_NOTICE.format(seconds=f"{waited:g}")
    return SearchResult(request.query, 0, waited * 1000, [], {}, notices=[notice])


class ProcessSearchEngine:
    """A SearchEngine whose `search` runs in `processes` worker processes; everything else is
    the local engine's. The workers are started at the first search (by spawning: the app's
    process has threads, which forking would copy mid-lock). A worker that dies (memory cap,
    crash) costs no answer: that search runs locally and the pool is started again."""

    def __init__(self, index_root: Path, processes: int, local: SearchEngine, only_costly: bool = False) -> None:
        self._index_root = str(index_root)
        self._processes = processes
        self._local = local
        self.only_costly = only_costly
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        # Pools stopped because a search waited too long on them: the searches that were queued
        # there get the same notice instead of being computed in the app's process.
        self._given_up: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()

    @property
    def time_budget(self) -> float:
        return self._local.time_budget

    @time_budget.setter
    def time_budget(self, seconds: float) -> None:
        self._local.time_budget = seconds

    def search(self, request: SearchRequest) -> SearchResult:
        if self.only_costly and not costly(request.query):
            return self._local.search(request)
        pool = self._started()
        budget = self._local.time_budget
        waited = budget + ANSWER_GRACE_SECONDS
        try:
            return pool.submit(_search, request, budget).result(timeout=waited)
        except (RuntimeError, CancelledError) as exc:  # BrokenExecutor; a pool shut down meanwhile
            if pool in self._given_up:  # stopped for another search that waited too long: no better off here
                return _busy(request, waited)
            if not isinstance(exc, BrokenExecutor):
                raise
            log.warning("a search process stopped; this search runs in the app's process, the pool restarts")
            self._drop(pool)
            return self._local.search(request)
        except TimeoutError:  # never a hang: answer without it, and start afresh next time
            log.warning("a search process gave no answer within %.0f s; it is stopped", waited)
            self._given_up.add(pool)
            self._drop(pool, kill=True)
            return _busy(request, waited)

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_open,
                    initargs=(self._index_root, os.getpid(), COSTLY_NICENESS if self.only_costly else 0),
                )
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor, kill: bool = False) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if kill:  # its processes are busy with searches nobody waits for any more
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self._local.close()

    def __getattr__(self, name: str) -> Any:  # every other SearchEngine method: the local engine
        return getattr(self._local, name)
