"""Versions of one text in the app (AppTest on a real index): « N autres versions » on a result,
the grouping toggle kept in the URL, the versions listed on a document's page."""

from __future__ import annotations

import html
import shutil

import pytest
from archive_testing import ner_off, run_app
from streamlit.testing.v1 import AppTest
from versions_corpus import write_corpus

from archive.engine import open_engine
from archive.models import SearchRequest
from conftest import ROOT, SEEDS
from indexer.pipeline import index_corpus

APP = ROOT / "app.py"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("app-versions")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        files = write_corpus(corpus)
        index_corpus(corpus, index)
    engine = open_engine(index)
    every = engine.search(SearchRequest(limit=100, with_snippets=False, group=False)).hits
    ids = {role: next(h.id for h in every if h.path == path.name) for role, path in files.items()}
    engine.close()
    return corpus, index, ids


@pytest.fixture
def env(archive, monkeypatch: pytest.MonkeyPatch):
    corpus, index, ids = archive
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    return ids


run = run_app


def cards(at: AppTest) -> list[str]:
    return [h.value for h in at.html if 'class="arc-card' in h.value]


def test_a_result_shows_its_other_versions_and_the_toggle_lists_them(env) -> None:
    ids = env
    at = run(q="hydrogène Belfort")
    shown = cards(at)
    release = [c for c in shown if "communique-hydrogene.pdf" in c]
    assert len(release) == 1 and not any("economie-gouv-hydrogene.html" in c.split("<details")[0] for c in shown)
    assert "1 autre version" in release[0] and f"doc={ids['release_html']}" in release[0]
    assert "du texte en commun" in release[0]
    captions = " ".join(c.value for c in at.caption)
    assert "1 autre version non comptée" in captions
    at.toggle(key="w_group").set_value(False).run()
    assert at.query_params.get("versions") in ("toutes", ["toutes"])
    listed = cards(at)
    assert len(listed) == len(shown) + 1
    assert any("economie-gouv-hydrogene.html" in c.split("<details")[0] for c in listed)
    assert "autre version non comptée" not in " ".join(c.value for c in at.caption)


def test_the_url_restores_every_version(env) -> None:
    at = run(q="hydrogène Belfort", versions="toutes")
    assert at.toggle(key="w_group").value is False
    assert sum("hydrogene" in c.split("<details")[0] for c in cards(at)) == 2


def test_the_document_page_lists_the_other_versions(env) -> None:
    ids = env
    at = run(vue="document", doc=ids["report_final"])
    assert "Autres versions de ce texte" in [s.value for s in at.subheader]
    listing = next(h.value for h in at.html if f"doc={ids['report_draft']}" in h.value)
    assert html.escape("Rapport sur l'avenir de la filière automobile en Lorraine") in listing
    assert "du texte en commun" in listing
    # The versions are not repeated among the similar documents.
    similar = [h.value for h in at.html if 'class="arc-card"' in h.value]
    assert not any(f"doc={ids['report_draft']}" in s for s in similar)


def test_a_document_without_versions_has_no_such_list(env) -> None:
    ids = env
    at = run(vue="document", doc=ids["tract_a"])
    assert "Autres versions de ce texte" not in [s.value for s in at.subheader]
