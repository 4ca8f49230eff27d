"""Dossiers in the app (AppTest, real index and lab database): add from a document's page with a
note, list, reorder, edit a note, remove; read-only mode cannot change them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from archive_testing import ner_off, run_app

from archive import dossiers
from archive.engine import open_engine
from archive.lab import LabDB
from archive.models import SearchRequest
from conftest import SEEDS
from indexer.pipeline import index_corpus

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    base = tmp_path_factory.mktemp("dossiers-app")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert not index_corpus(corpus, index).failed
    engine = open_engine(index)
    ids = [h.id for h in engine.search(SearchRequest("", limit=3, with_snippets=False)).hits]
    engine.close()
    return corpus, index, ids


@pytest.fixture
def env(indexed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    corpus, index, ids = indexed
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.setenv("ARCHIVE_LAB_DB", str(tmp_path / "lab.sqlite"))
    monkeypatch.setenv("ARCHIVE_FEEDS_DIR", str(tmp_path / "feeds"))
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    return ids, LabDB(tmp_path / "lab.sqlite")


run = run_app


def test_add_from_the_document_page_then_manage_the_dossier(env) -> None:
    ids, lab = env
    for doc_id, note in ((ids[0], "à citer"), (ids[1], "")):
        at = run(vue="document", doc=doc_id)
        if "w_dossier_new" in [t.key for t in at.text_input]:
            at.text_input(key="w_dossier_new").input("Chapitre 3")
        else:
            at.selectbox(key="w_dossier_pick").select("Chapitre 3").run()
        at.text_area(key="w_dossier_note").input(note)
        at.button(key="w_dossier_add").click().run()
        assert not at.exception
    d = dossiers.get(lab, "Chapitre 3")
    assert [i.doc_id for i in d.items] == ids[:2] and d.items[0].note == "à citer"

    at = run(vue="dossiers")
    assert "Chapitre 3 (2 documents)" in at.selectbox(key="w_dossiers_open").options
    at.button(key=f"w_up_{ids[1]}").click().run()
    assert [i.doc_id for i in dossiers.get(lab, "Chapitre 3").items] == [ids[1], ids[0]]
    at.text_area(key=f"w_note_{d.id}_{ids[1]}").input("contredit le premier").run()
    assert dossiers.get(lab, "Chapitre 3").items[0].note == "contredit le premier"
    at.button(key=f"w_rm_{ids[0]}").click().run()
    assert [i.doc_id for i in dossiers.get(lab, "Chapitre 3").items] == [ids[1]]


def test_read_only_mode_shows_dossiers_without_changing_them(env, monkeypatch: pytest.MonkeyPatch) -> None:
    ids, lab = env
    dossiers.add(lab, "Lecture", ids[0], "titre", "une note")
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    at = run(vue="document", doc=ids[0])
    assert not [b for b in at.button if b.key == "w_dossier_add"]
    at = run(vue="dossiers")
    assert not [b for b in at.button if b.key and b.key.startswith(("w_up_", "w_rm_"))]
    [note] = [t for t in at.text_area if t.key and t.key.startswith("w_note_")]
    assert note.value == "une note" and note.disabled


def test_add_from_a_result_card(env) -> None:
    ids, lab = env
    at = run(q="")
    at.button(key=f"w_card_dossier_{ids[2]}").click().run()
    assert not at.exception
    at.text_input(key="w_dossier_new").input("Depuis les résultats")
    at.text_area(key="w_dossier_note").input("vu en cherchant")
    at.button(key="w_dossier_add").click().run()
    assert not at.exception
    d = dossiers.get(lab, "Depuis les résultats")
    assert d is not None and [(i.doc_id, i.note) for i in d.items] == [(ids[2], "vu en cherchant")]


def test_result_cards_have_no_dossier_button_in_read_only_mode(env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    at = run(q="")
    assert not [b for b in at.button if b.key and b.key.startswith("w_card_dossier_")]


def test_the_dossier_description_is_written_in_the_view(env, monkeypatch: pytest.MonkeyPatch) -> None:
    ids, lab = env
    dossiers.add(lab, "Chapitre 4", ids[0], "titre")
    d = dossiers.get(lab, "Chapitre 4")
    at = run(vue="dossiers")
    at.text_area(key=f"w_dossier_description_{d.id}").input("Fermetures de sites, 2019–2024").run()
    assert not at.exception
    assert dossiers.get(lab, "Chapitre 4").description == "Fermetures de sites, 2019–2024"
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    at = run(vue="dossiers")
    shown = at.text_area(key=f"w_dossier_description_{d.id}")
    assert shown.value == "Fermetures de sites, 2019–2024" and shown.disabled
