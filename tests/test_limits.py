"""Query limits: no query can stall the server or the other sessions searching at the same time.

Real indexes on disk, real engine; the blocking test holds one search inside the real
evaluator (an event it waits on) to check, by ordering, that another search completes meanwhile.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from archive.config import ConfigError
from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest
from archive.search_logic.limits import MAX_EXPANSIONS, MAX_FUZZY_DISTANCE, MAX_QUERY_WORDS
from indexer.pipeline import index_corpus


def _search(engine: SearchEngine, query: str, **kw):
    return engine.search(SearchRequest(query=query, **kw))


def _in_thread(fn, timeout: float = 120):
    """Run fn in a thread; its result, or fail when it does not finish (a hang)."""
    out: dict = {}
    worker = threading.Thread(target=lambda: out.setdefault("value", fn()), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), "the search did not finish"
    return out["value"]


@pytest.fixture(scope="module")
def seed_index(seed_archive) -> Path:
    return seed_archive[1]


def test_a_huge_fuzzy_distance_is_lowered_with_a_notice(seed_engine: SearchEngine) -> None:
    # réindustrialisation~7 took 168 s on the five bundled documents.
    result = _in_thread(lambda: _search(seed_engine, "réindustrialisation~7"))
    assert result.error is None
    assert result.total >= 1
    assert any("~7" in n and f"~{MAX_FUZZY_DISTANCE}" in n for n in result.notices), result.notices
    # A two-digit distance is read whole and lowered too (Whoosh read `~1` and a stray `2`).
    result = _in_thread(lambda: _search(seed_engine, "industrie~12"))
    assert any("~12" in n for n in result.notices), result.notices


def test_an_allowed_fuzzy_distance_has_no_notice(seed_engine: SearchEngine) -> None:
    result = _search(seed_engine, "industrei~2")
    assert result.total >= 1 and result.notices == []


def test_too_many_words_are_refused_in_french(seed_engine: SearchEngine) -> None:
    words = " ".join(f"m{i}" for i in range(MAX_QUERY_WORDS + 1))
    result = _search(seed_engine, words)
    assert result.total == 0 and result.hits == []
    assert result.error and f"{MAX_QUERY_WORDS} au plus" in result.error
    assert _search(seed_engine, " ".join(words.split()[:MAX_QUERY_WORDS])).error is None
    # A 10 000-word OR took 10 s: it is cut short and answered (or refused) at once.
    huge = " OR ".join(f"mot{i}" for i in range(10_000))
    result = _in_thread(lambda: _search(seed_engine, huge))
    assert result.error or result.notices


def test_a_prefix_stands_for_a_bounded_number_of_words(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    words = " ".join(f"zorglub{i:04d}" for i in range(MAX_EXPANSIONS + 50))
    (corpus / "mots.txt").write_text(f"Liste de mots\n\n{words}\n", encoding="utf-8")
    (corpus / "autre.txt").write_text("Un autre document sur zorglub0001 seulement.\n", encoding="utf-8")
    index_corpus(corpus, tmp_path / "index")
    engine = open_engine(tmp_path / "index")
    try:
        result = _search(engine, "zorglub*")
        assert result.total == 2
        assert any(f"plus de {MAX_EXPANSIONS} mots" in n for n in result.notices), result.notices
        assert _search(engine, "zorglub000*").notices == []  # ten words: nothing left out
    finally:
        engine.close()


def test_a_query_past_its_time_budget_answers_with_what_it_has(seed_index: Path) -> None:
    engine = open_engine(seed_index)
    try:
        full = _search(engine, "industrie OR hydrogène OR syndicat")
        assert full.notices == []
        engine.time_budget = 0.0  # every search is past its budget after its first branch
        cut = _search(engine, "industrie OR hydrogène OR syndicat")
        assert any("interrompue" in n for n in cut.notices), cut.notices
        assert 0 < cut.total <= full.total
        assert {h.id for h in cut.hits} <= {h.id for h in full.hits} | {h.id for h in cut.hits if h.partial}
    finally:
        engine.close()


def test_concurrent_searches_give_the_same_answers_as_one_at_a_time(seed_index: Path) -> None:
    engine = open_engine(seed_index)
    queries = ["industrie", "emploi salariés", "hydrogène OR usine", "relocalis*", "acteur:CGT", "", "énergie -gaz"]
    try:
        expected = {q: [(h.id, h.snippet) for h in _search(engine, q).hits] for q in queries}
        errors: list[str] = []

        def worker(offset: int) -> None:
            for i in range(20):
                q = queries[(i + offset) % len(queries)]
                got = [(h.id, h.snippet) for h in _search(engine, q).hits]
                if got != expected[q]:
                    errors.append(q)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []  # how many searchers that opened: test_whoosh_internals_limits.py
    finally:
        engine.close()


def test_the_search_time_budget_is_a_setting(seed_index: Path, monkeypatch) -> None:
    monkeypatch.setenv("ARCHIVE_SEARCH_TIME_BUDGET", "0.5")
    engine = open_engine(seed_index)
    try:
        assert engine.time_budget == 0.5
    finally:
        engine.close()
    monkeypatch.setenv("ARCHIVE_SEARCH_TIME_BUDGET", "vite")
    with pytest.raises(ConfigError, match="ARCHIVE_SEARCH_TIME_BUDGET"):
        open_engine(seed_index)
