"""Whoosh internals behind the query limits: what the evaluator and the snippets read.

Each test wraps a real Whoosh or evaluator method (counting or holding it), so it belongs to
the Whoosh backend; the limits as researchers see them are in test_limits.py.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from archive_testing import ner_off

from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest
from archive.whoosh.ranking import QueryEvaluator
from indexer.pipeline import index_corpus


def _search(engine: SearchEngine, query: str, **kw):
    return engine.search(SearchRequest(query=query, **kw))


@pytest.fixture(scope="module")
def seed_index(seed_archive) -> Path:
    return seed_archive[1]


def test_snippets_use_the_words_the_search_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Snippets expanded every prefix and fuzzy word again, for every hit and without the time
    budget: a query of ten prefixes and eight fuzzy words answered in 51 s (17 s of CPU) on
    1 000 documents although its search stopped at 3 s. They now mark the words the search read
    (once, within its budget): snippets walk the lexicon no more, whatever the number of hits."""
    from whoosh import query as wq

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):
        words = " ".join(f"zorglub{i}{j:02d}" for j in range(30))
        (corpus / f"mots-{i}.txt").write_text(f"Liste de mots {i}\n\n{words}\n", encoding="utf-8")
    index_corpus(corpus, tmp_path / "index")
    walks = []
    real = wq.Prefix._btexts

    def counted(self, ixreader):  # the real expansion, counted
        walks.append(self.text)
        yield from real(self, ixreader)

    monkeypatch.setattr(wq.Prefix, "_btexts", counted)
    engine = open_engine(tmp_path / "index")
    try:
        _search(engine, "zorglub*", with_snippets=False)
        searching = len(walks)
        walks.clear()
        result = _search(engine, "zorglub*")
        assert result.total == 4 and len(result.hits) == 4
        assert searching >= 1 and len(walks) == searching  # the snippets walked nothing more
        for hit in result.hits:  # every hit's snippet still marks its words
            assert len(set(re.findall(r"<mark>([^<]*)</mark>", hit.snippet))) > 1, hit.snippet
    finally:
        engine.close()


def test_a_slow_search_does_not_hold_up_another_one(seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one search is stuck in its word expansion, a plain search from another thread
    completes (the engine held one lock for the whole of every search)."""
    engine = open_engine(seed_index)
    stuck, release = threading.Event(), threading.Event()
    expand = QueryEvaluator._expanded

    def slow_expansion(self, q):
        if q.text.startswith("lent"):
            stuck.set()
            release.wait(120)
        return expand(self, q)

    monkeypatch.setattr(QueryEvaluator, "_expanded", slow_expansion)
    slow_result: dict = {}
    slow = threading.Thread(target=lambda: slow_result.setdefault("r", _search(engine, "lent*")), daemon=True)
    try:
        slow.start()
        assert stuck.wait(60), "the slow search never started"
        plain = threading.Thread(target=lambda: slow_result.setdefault("plain", _search(engine, "industrie")))
        plain.start()
        plain.join(60)
        assert not plain.is_alive(), "the plain search waited for the slow one"
        assert slow.is_alive(), "the slow search should still be running"
        assert slow_result["plain"].total >= 1
    finally:
        release.set()
        slow.join(60)
        engine.close()
    assert "r" in slow_result


def test_concurrent_snapshots_share_one_analyzer_so_snippet_memos_stay_warm(tmp_path: Path) -> None:
    """Each pooled searcher unpickled its own schema: with several sessions searching at once,
    the snippet memo (kept per analyzer) was emptied at every switch and 4 clients served half
    the requests of 1. Whoosh internals test: the snapshots of one index share one analyzer."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("L’usine de Pont-de-Claix relance sa production de chlore.", encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
    engine = open_engine(index)
    try:
        with engine._checkout() as first, engine._checkout() as second:
            assert first is not second and first.analyzer is second.analyzer
        hits = engine.search(SearchRequest(query="chlore")).hits
        assert hits and "<mark>chlore</mark>" in hits[0].snippet
    finally:
        engine.close()


def test_the_pool_opens_one_searcher_per_concurrent_search_and_reuses_idle_ones(seed_index: Path) -> None:
    """Searches held at once each get a searcher of their own; later ones reuse the idle ones."""
    engine = open_engine(seed_index)
    try:
        with engine._checkout() as first, engine._checkout() as second, engine._checkout() as third:
            assert len({id(first), id(second), id(third)}) == 3 and engine._open == 3
        for _ in range(5):
            _search(engine, "industrie")
        assert engine._open == 3
    finally:
        engine.close()
