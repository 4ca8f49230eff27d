"""Shared fixtures: real corpora on disk, real indexes built by the real indexer."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.engine import SearchEngine, open_engine
from indexer.pipeline import index_corpus

# The suite also runs on loaded machines, where a search of the five seeds has taken over 3 s:
# searches (and the apps and servers the tests start) get a generous budget. The tests of the
# budget itself set their own (tests/test_limits.py, tests/test_api.py).
os.environ.setdefault("ARCHIVE_SEARCH_TIME_BUDGET", "30")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, SearchEngine]]:
    """The five bundled documents, indexed once for the whole session (read-only use)."""
    base = tmp_path_factory.mktemp("seeds")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    report = index_corpus(corpus, index)
    assert report.failed == [], report.failed
    engine = open_engine(index)
    yield corpus, index, engine
    engine.close()


@pytest.fixture
def seed_engine(seed_archive: tuple[Path, Path, SearchEngine]) -> SearchEngine:
    return seed_archive[2]


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """An empty corpus folder and an index location, for tests that write."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return corpus, tmp_path / "index"


def seed_id(engine: SearchEngine, file_name: str) -> str:
    """The document id of a seed file, found through the search interface."""
    from archive.models import SearchRequest

    result = engine.search(SearchRequest(query="", limit=100, with_snippets=False))
    for hit in result.hits:
        if hit.path.endswith(file_name):
            return hit.id
    raise AssertionError(f"{file_name} not indexed")


@pytest.fixture
def lab_vocab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A lab's copy of the vocabulary folder (ARCHIVE_VOCAB_DIR) holding only the gazetteers a lab
    had before the other vocabularies joined archive/vocab/ (they are read from the bundled folder)."""
    from archive import gazetteer

    for name in ("actors.yaml", "themes.yaml", "places.yaml", "schemes.yaml"):
        (tmp_path / name).write_bytes((gazetteer.VOCAB_DIR / name).read_bytes())
    monkeypatch.setenv("ARCHIVE_VOCAB_DIR", str(tmp_path))
    gazetteer.clear_caches()
    yield tmp_path
    gazetteer.clear_caches()
