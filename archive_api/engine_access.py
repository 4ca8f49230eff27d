"""The API's one engine, opened on first use, and engine calls run under the time budget."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

from archive.engine import SearchEngine, open_engine
from archive.models import IndexMissing
from archive_api.errors import ApiError, log, not_ready

T = TypeVar("T")


class EngineAccess:
    """Opens the index read-only when first needed (not at start: the server may start before the
    index exists, and answers 503 until it does). The engine refreshes itself when the index changes."""

    def __init__(self, index: Path, time_budget: float) -> None:
        self.index = index
        self.time_budget = time_budget
        self._lock = threading.Lock()
        self._engine: SearchEngine | None = None

    def engine(self) -> SearchEngine:
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = open_engine(self.index, allow_outdated=True)
                except IndexMissing:
                    raise not_ready() from None
                except Exception as exc:  # damaged: the indexer repairs it; meanwhile say so
                    log.warning("impossible d'ouvrir l'index %s : %s", self.index, exc)
                    raise not_ready() from None
            return self._engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None

    async def run(self, work: Callable[[SearchEngine], T]) -> T:
        """`work(engine)` in a worker thread; past the time budget the client gets 503 at once
        (the search cannot be interrupted: it finishes in the background and is discarded)."""

        def call() -> T:
            try:
                return work(self.engine())
            except IndexMissing:  # the live generation vanished between two calls
                raise not_ready() from None

        try:
            with anyio.fail_after(self.time_budget):
                return await anyio.to_thread.run_sync(partial(call), abandon_on_cancel=True)
        except TimeoutError:
            raise ApiError(
                503,
                f"Temps imparti dépassé ({self.time_budget:g} s) : la requête demande trop de travail "
                "ou le serveur est très chargé. Précisez-la ou réessayez.",
                {"Retry-After": "5"},
            ) from None
