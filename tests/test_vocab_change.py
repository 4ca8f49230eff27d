"""The vocabulary an index was built with is recorded, and a change to it is told to the researcher.

A real index of the seeds built with a lab's vocabulary folder (ARCHIVE_VOCAB_DIR), then that
folder edited: `archive stats` (text and JSON) and « État de l'archive » say so until a rebuild.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from archive_testing import cli, ner_off
from streamlit.testing.v1 import AppTest

from archive import gazetteer, store
from conftest import SEEDS
from indexer.pipeline import index_corpus

ROOT = Path(__file__).resolve().parent.parent
EMPLOI = "- label: emploi\n  terms: ["


@pytest.fixture
def built(lab_vocab: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(corpus, index, lab vocabulary folder): the seeds indexed with the lab's vocabulary."""
    base = tmp_path_factory.mktemp("vocab_change")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert index_corpus(corpus, index, jobs=1).failed == []
    return corpus, index, lab_vocab


def _stats(index: Path, *json_flag: str) -> str:
    done = cli("stats", "--index", str(index), *json_flag, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _edit_themes(vocab: Path) -> None:
    themes = vocab / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    assert EMPLOI in text
    themes.write_text(text.replace(EMPLOI, EMPLOI + " embaucheur,", 1), encoding="utf-8")
    gazetteer.clear_caches()


def test_the_index_records_the_vocabulary_it_was_built_with(built) -> None:
    corpus, index, vocab = built
    assert store.read_state(store.live_dir(index))["vocab"] == gazetteer.vocab_fingerprint()
    assert json.loads(_stats(index, "--json"))["vocabulary_changed"] is False
    assert "le vocabulaire a changé" not in _stats(index)


def test_archive_stats_says_the_vocabulary_changed_until_a_rebuild(built) -> None:
    corpus, index, vocab = built
    _edit_themes(vocab)
    assert json.loads(_stats(index, "--json"))["vocabulary_changed"] is True
    assert "note : le vocabulaire a changé depuis la construction de l'index" in _stats(index)
    # An incremental run analyses only new files: the others still reflect the old vocabulary.
    (corpus / "nouveau.txt").write_text("L'électrolyseur de Fos relance l'hydrogène vert.", encoding="utf-8")
    assert cli("index", "--index", str(index), "--corpus", str(corpus), timeout=600).returncode == 0
    assert json.loads(_stats(index, "--json"))["vocabulary_changed"] is True
    assert cli("index", "--rebuild", "--index", str(index), "--corpus", str(corpus), timeout=600).returncode == 0
    assert json.loads(_stats(index, "--json"))["vocabulary_changed"] is False


def test_an_index_from_before_the_record_says_nothing(built) -> None:
    """No recorded fingerprint (an index written by an earlier version): no notice, no error."""
    corpus, index, vocab = built
    live = store.live_dir(index)
    state = store.read_state(live)
    del state["vocab"]
    store.write_state(live, state)
    _edit_themes(vocab)
    assert json.loads(_stats(index, "--json"))["vocabulary_changed"] is False


def _status_page(corpus: Path, index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.setenv("ARCHIVE_NER", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["vue"] = "etat"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _vocabulary_notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "vocabulaire" in w.value]


@pytest.mark.slow
def test_the_status_page_tells_the_vocabulary_changed_and_the_rebuild_applies_it(
    built, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index, vocab = built
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    at = _status_page(corpus, index, monkeypatch)
    assert _vocabulary_notices(at) == []
    _edit_themes(vocab)
    at = _status_page(corpus, index, monkeypatch)
    [notice] = _vocabulary_notices(at)
    assert "a changé depuis la dernière indexation complète" in notice
    assert "« Réindexer tout le corpus »" in notice
    at.button(key="w_rebuild").click().run()
    deadline = time.monotonic() + 180
    while "job_status" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _vocabulary_notices(_status_page(corpus, index, monkeypatch)) == []
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    _edit_themes(vocab)
    [notice] = _vocabulary_notices(_status_page(corpus, index, monkeypatch))
    assert "archive index --rebuild" in notice and "Réindexer" not in notice
