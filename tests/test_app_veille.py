"""Saved searches in the app (AppTest on a real index and a real lab database): saving, the
sidebar list with « N nouveaux » per browser, opening, feeds, read-only and password modes."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import pytest
from archive_testing import ner_off
from streamlit.testing.v1 import AppTest

from archive.engine import open_engine
from archive.lab import LabDB
from archive.models import SearchRequest
from archive.veille import feed_file_name, refresh
from conftest import SEEDS
from indexer.pipeline import index_corpus

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
NEW_TEXT = "Communiqué de la CGT, 12 mai 2024.\n\nLa CGT demande un plan pour les hauts-fourneaux de Dunkerque.\n"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("veille-app")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert not index_corpus(corpus, index).failed
    return corpus, index


@pytest.fixture
def env(indexed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The module's index, copied so a test may add documents, with a fresh lab database and feeds folder."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(indexed[0], corpus)
    shutil.copytree(indexed[1], index)
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.setenv("ARCHIVE_LAB_DB", str(tmp_path / "lab.sqlite"))
    monkeypatch.setenv("ARCHIVE_FEEDS_DIR", str(tmp_path / "static" / "feeds"))
    monkeypatch.setenv("ARCHIVE_NER", "0")
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    return corpus, index, LabDB(tmp_path / "lab.sqlite"), tmp_path / "static" / "feeds"


def run(at: AppTest | None = None, **params: str) -> AppTest:
    at = at or AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def saved_buttons(at: AppTest) -> dict[str, str]:
    """Sidebar buttons of saved searches: key → label."""
    return {b.key: b.label for b in at.sidebar.button if b.key and b.key.startswith("w_saved_") and "_rm_" not in b.key}


def test_save_the_current_search_lists_it_and_writes_its_feed(env) -> None:
    _, index, lab, feeds = env
    at = run(q="industrie", acteur="CGT", tri="-date")
    assert "Aucune pour l'instant" in " ".join(c.value for c in at.sidebar.caption)
    at.text_input(key="w_save_name").input("Industrie CGT")
    at.button(key="w_save").click().run()
    [search] = lab.searches()
    assert (search.name, search.query, search.filters, search.sort) == (
        "Industrie CGT",
        "industrie",
        {"actor": ["CGT"]},
        "-date",
    )
    assert list(saved_buttons(at).values()) == ["Industrie CGT"]  # nothing new for the one who saved it
    feed = feedparser.parse((feeds / feed_file_name(search)).read_bytes())
    engine = open_engine(index)
    total = engine.search(SearchRequest("industrie", filters={"actor": ["CGT"]})).total
    engine.close()
    assert not feed.bozo and len(feed.entries) == total > 0
    assert any(f"static/feeds/{feed_file_name(search)}" in h.value for h in at.sidebar.html)

    # The same name again is refused in French, nothing is lost.
    at.text_input(key="w_save_name").input("industrie cgt")
    at.button(key="w_save").click().run()
    assert any("déjà" in e.value for e in at.error)
    assert len(lab.searches()) == 1


def test_new_documents_show_per_browser_and_opening_the_search_clears_them(env) -> None:
    corpus, index, lab, _ = env
    search = lab.add_search("Sidérurgie", "hauts-fourneaux")
    engine = open_engine(index)
    refresh(lab, engine, search)
    (corpus / "cgt-dunkerque.txt").write_text(NEW_TEXT, encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
    engine.close()

    at = run()
    assert saved_buttons(at)[f"w_saved_{search.id}"] == "Sidérurgie · 1 nouveau"
    at.sidebar.button(key=f"w_saved_{search.id}").click().run()
    assert at.query_params.get("q") in ("hauts-fourneaux", ["hauts-fourneaux"])
    assert saved_buttons(at)[f"w_saved_{search.id}"] == "Sidérurgie"
    # Another browser (another session, another id) still sees it as new.
    other = run()
    assert saved_buttons(other)[f"w_saved_{search.id}"] == "Sidérurgie · 1 nouveau"


def test_remove_a_saved_search(env) -> None:
    _, _, lab, feeds = env
    at = run(q="énergie")
    at.text_input(key="w_save_name").input("Énergie")
    at.button(key="w_save").click().run()
    [search] = lab.searches()
    assert (feeds / feed_file_name(search)).exists()
    at.sidebar.button(key=f"w_saved_rm_{search.id}").click().run()
    assert lab.searches() == [] and not (feeds / feed_file_name(search)).exists()
    assert saved_buttons(at) == {}


def test_read_only_mode_opens_saved_searches_but_cannot_change_them(env, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, lab, _ = env
    search = lab.add_search("Énergie", "énergie")
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    at = run(q="industrie")
    assert not [t for t in at.text_input if t.key == "w_save_name"]
    assert not [b for b in at.sidebar.button if b.key and b.key.startswith("w_saved_rm_")]
    at.sidebar.button(key=f"w_saved_{search.id}").click().run()
    assert at.query_params.get("q") in ("énergie", ["énergie"])


def test_password_mode_asks_before_saving(env, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, lab, _ = env
    monkeypatch.setenv("ARCHIVE_ADMIN_PASSWORD", "secret-labo")
    at = run(q="industrie")
    assert not [t for t in at.text_input if t.key == "w_save_name"]
    assert [t for t in at.text_input if t.key == "w_password_save_search"]
    at.text_input(key="w_password_save_search").input("secret-labo")
    at.button[[b.label for b in at.button].index("Se connecter")].click().run()
    at.text_input(key="w_save_name").input("Industrie")
    at.button(key="w_save").click().run()
    assert [s.name for s in lab.searches()] == ["Industrie"]


def test_a_fresh_clone_has_the_folder_streamlit_serves_feeds_from() -> None:
    """Without static/ beside app.py, `streamlit run app.py` starts with « WARNING: Static file serving
    is enabled, but no static folder found » on a fresh clone."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    listed = subprocess.run(["git", "ls-files", "static"], cwd=root, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    assert listed.stdout.split(), "static/ holds no tracked file: a fresh clone has no static folder"
