"""Searches in a pool of processes (ARCHIVE_SEARCH_PROCESSES): same answers as in-process, the
time budget follows, a dead worker costs no answer, and the app uses the pool when asked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from archive_testing import gone

from archive import config, search_processes
from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest
from archive.search_processes import COSTLY_NICENESS, ProcessSearchEngine

QUERIES = ["industrie", "emploi salariés", "hydrogène OR usine", "relocalis*", "acteur:CGT", "", "énergie -gaz"]


@pytest.fixture
def pooled(seed_archive: tuple[Path, Path, SearchEngine]):
    _, index, _ = seed_archive
    engine = ProcessSearchEngine(index, 2, open_engine(index))
    yield engine
    engine.close()


def _answer(result) -> tuple:
    return (result.total, [(h.id, h.snippet, round(h.score, 6)) for h in result.hits], result.facets, result.notices)


def test_pooled_searches_answer_as_the_local_engine(pooled: ProcessSearchEngine, seed_engine: SearchEngine) -> None:
    for query in QUERIES:
        request = SearchRequest(query=query)
        assert _answer(pooled.search(request)) == _answer(seed_engine.search(request)), query
    assert pooled.document_ids() == seed_engine.document_ids()  # the rest is the local engine's


def test_the_time_budget_reaches_the_search_processes(pooled: ProcessSearchEngine) -> None:
    request = SearchRequest(query="industrie OR hydrogène OR syndicat")
    assert pooled.search(request).notices == []
    pooled.time_budget = 0.0  # every search is past its budget after its first branch
    assert any("interrompue" in n for n in pooled.search(request).notices)


def test_a_dead_search_process_costs_no_answer(pooled: ProcessSearchEngine, seed_engine: SearchEngine) -> None:
    request = SearchRequest(query="industrie")
    expected = _answer(seed_engine.search(request))
    assert _answer(pooled.search(request)) == expected
    for pid in list(pooled._started()._processes):  # noqa: SLF001 - killing the workers is the point
        os.kill(pid, signal.SIGKILL)
    assert _answer(pooled.search(request)) == expected  # answered locally, the pool dropped
    assert _answer(pooled.search(request)) == expected  # a new pool


def test_the_setting_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_SEARCH_PROCESSES", raising=False)
    assert config.search_processes() == 0
    monkeypatch.setenv("ARCHIVE_SEARCH_PROCESSES", "2")
    assert config.search_processes() == 2
    monkeypatch.setenv("ARCHIVE_SEARCH_PROCESSES", "deux")
    with pytest.raises(config.ConfigError):
        config.search_processes()


@contextmanager
def _app_on(seed_archive: tuple[Path, Path, SearchEngine], monkeypatch: pytest.MonkeyPatch, query: str) -> Iterator:
    """The app over the seed archive, its page run once for `query`; the process's cached engine
    is dropped before and after."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    corpus, index, _ = seed_archive
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
        at.query_params["q"] = query
        at.run()
        assert not at.exception
        yield at
    finally:
        st.cache_resource.clear()


def test_the_app_searches_in_processes_when_asked(
    seed_archive: tuple[Path, Path, SearchEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import runtime

    monkeypatch.setenv("ARCHIVE_SEARCH_PROCESSES", "1")
    with _app_on(seed_archive, monkeypatch, "industrie") as at:
        engine = runtime.engine()
        assert isinstance(engine, ProcessSearchEngine)
        assert engine._pool is not None  # noqa: SLF001 - the page's search went through the pool
        cards = [h.value for h in at.html if 'class="arc-card"' in h.value]
        expected = runtime.engine().search(SearchRequest(query="industrie")).total
        assert expected > 0 and len(cards) == expected
        assert all("<mark>" in card for card in cards)


def test_only_costly_queries_leave_the_process(seed_archive: tuple[Path, Path, SearchEngine], seed_engine) -> None:
    _, index, _ = seed_archive
    engine = ProcessSearchEngine(index, 1, open_engine(index), only_costly=True)
    try:
        for query in ("industrie", "emploi salariés", "acteur:CGT", ""):
            assert _answer(engine.search(SearchRequest(query=query))) == _answer(
                seed_engine.search(SearchRequest(query=query))
            )
        assert engine._pool is None  # noqa: SLF001 - answered in this process, no pool started
        for query in ("relocalis*", "industri~1", " OR ".join(["usine"] * 13)):
            request = SearchRequest(query=query)
            assert _answer(engine.search(request)) == _answer(seed_engine.search(request)), query
        assert engine._pool is not None  # noqa: SLF001
        own = os.getpriority(os.PRIO_PROCESS, 0)
        for pid in engine._pool._processes:  # noqa: SLF001 - it yields the cores to the app
            assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, own + COSTLY_NICENESS)
            if Path("/proc/self/autogroup").exists():  # out of the app's scheduling group, the least entitled
                group, _, nice = Path(f"/proc/{pid}/autogroup").read_text().split()
                assert group.startswith("/autogroup-") and group != _autogroup(os.getpid()) and nice == "19"
    finally:
        engine.close()


def test_a_costly_search_does_not_wait_behind_another(
    seed_archive: tuple[Path, Path, SearchEngine], seed_engine
) -> None:
    """One slow-query process made a researcher's « indus* » wait behind another's pathological
    query, then answer « serveur trop occupé »: a second process takes it."""
    _, index, _ = seed_archive
    engine = ProcessSearchEngine(index, search_processes.COSTLY_PROCESSES, open_engine(index), only_costly=True)
    pool = engine._started()  # noqa: SLF001
    try:
        elsewhere = pool.submit(time.sleep, 15)  # another researcher's query, busy for longer than any wait
        while not pool._processes:  # noqa: SLF001 - the first process has started and taken it
            time.sleep(0.05)
        request = SearchRequest(query="relocalis*")
        assert _answer(engine.search(request)) == _answer(seed_engine.search(request))
        assert not elsewhere.done()
    finally:
        engine._drop(pool, kill=True)  # noqa: SLF001
        engine.close()


def _autogroup(pid: int) -> str:
    """The group's name; empty for the boot-time group, which the kernel does not name (a CI
    runner started outside any login session runs in it)."""
    return next(iter(Path(f"/proc/{pid}/autogroup").read_text().split()), "")


def test_costly_queries() -> None:
    from archive.search_logic.limits import costly

    assert not any(costly(q) for q in ("industrie", "emploi salariés", '"plan de relance"'))
    assert all(costly(q) for q in ("indus*", "usine~2", "fond?rie"))
    assert costly(" ".join(["mot"] * 13)) and not costly(" ".join(["mot"] * 12))


def test_the_app_sends_slow_queries_to_a_process_by_default(
    seed_archive: tuple[Path, Path, SearchEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    from ui import runtime

    monkeypatch.delenv("ARCHIVE_SEARCH_PROCESSES", raising=False)
    monkeypatch.delenv("ARCHIVE_SLOW_QUERY_PROCESS", raising=False)
    with _app_on(seed_archive, monkeypatch, "industrie") as at:
        engine = runtime.engine()
        assert isinstance(engine, ProcessSearchEngine) and engine.only_costly
        assert engine._pool is None  # noqa: SLF001 - a plain query is answered in the app's process
        at.query_params["q"] = "industri*"
        at.run()
        assert not at.exception
        assert engine._pool is not None  # noqa: SLF001
        assert any('class="arc-card"' in h.value for h in at.html)
    monkeypatch.setenv("ARCHIVE_SLOW_QUERY_PROCESS", "0")
    assert config.slow_query_process() is False
    st.cache_resource.clear()
    try:
        assert not isinstance(runtime._engine(str(seed_archive[1])), ProcessSearchEngine)  # noqa: SLF001
    finally:
        st.cache_resource.clear()


_APP_WITH_A_SEARCH_PROCESS = """
import sys, time
from pathlib import Path
from archive.engine import open_engine
from archive.models import SearchRequest
from archive.search_processes import ProcessSearchEngine

index = Path(sys.argv[1])
engine = ProcessSearchEngine(index, 1, open_engine(index), only_costly=True)
engine.search(SearchRequest("indus*"))
print(*engine._pool._processes, flush=True)
time.sleep(120)
"""


def test_a_search_process_ends_when_the_app_is_killed(seed_archive: tuple[Path, Path, SearchEngine]) -> None:
    """An app killed outright (SIGKILL, out of memory) left its search process running for good,
    holding its engine: it waited on a task queue that nobody would close."""
    _, index, _ = seed_archive
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent), *sys.path]))
    app = subprocess.Popen(
        [sys.executable, "-c", _APP_WITH_A_SEARCH_PROCESS, str(index)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        workers = [int(pid) for pid in app.stdout.readline().split()]
        assert workers and not any(gone(pid) for pid in workers)
    finally:
        app.kill()
        app.wait()
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(gone(pid) for pid in workers)


def test_a_search_process_that_gives_no_answer_does_not_hold_the_page(
    seed_archive: tuple[Path, Path, SearchEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a saturated machine the slow-query process may get no CPU for long (it yields to
    everything else): the page answers after the budget and a grace, with a notice, and the next
    costly search gets a process of its own again."""
    _, index, _ = seed_archive
    monkeypatch.setattr(search_processes, "ANSWER_GRACE_SECONDS", 1.0)
    local = open_engine(index)
    computed_here: list[str] = []
    search_here = local.search
    local.search = lambda request: computed_here.append(request.query) or search_here(request)
    engine = ProcessSearchEngine(index, 1, local, only_costly=True)
    engine.time_budget = 0.5
    try:
        assert engine.search(SearchRequest("relocalis*")).total > 0
        [stuck] = list(engine._pool._processes)  # noqa: SLF001
        os.kill(stuck, signal.SIGSTOP)  # as if starved of CPU
        # A second costly search queued behind the first: when the first gives up and the
        # process is stopped, it gets the same notice, not a run in the app's process.
        queued: list = []
        second = threading.Thread(target=lambda: queued.append(engine.search(SearchRequest("usine~1"))))
        started = time.monotonic()
        first = threading.Thread(target=lambda: queued.append(engine.search(SearchRequest("industri*"))))
        first.start()
        time.sleep(0.5)
        second.start()
        first.join(10)
        second.join(10)
        assert time.monotonic() - started < 5
        assert len(queued) == 2 and computed_here == []
        for result in queued:
            assert result.total == 0 and not result.hits
            assert any("trop occupé" in notice for notice in result.notices)
        deadline = time.monotonic() + 5
        while not gone(stuck) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(stuck)  # killed, not left stopped for good
        assert engine.search(SearchRequest("industri*")).total > 0  # a new process answers
    finally:
        engine.close()
