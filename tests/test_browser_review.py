"""End to end in Chromium: the actor facet grouped by kind (a confederation finds its
federations), and correcting a document's metadata in the app behind the admin password."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, streamlit_server

from archive.engine import open_engine
from archive.models import SearchRequest
from indexer.lock import WriteLock
from indexer.pipeline import index_corpus
from indexer.sidecar import read_sidecar

pytestmark = pytest.mark.browser

from playwright.sync_api import expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "motdepasse-de-test"
FTM = (
    "Tract\n\nSochaux, le 12 mai 2019\n\n"
    "La Fédération des travailleurs de la métallurgie appelle les salariés des équipementiers à la grève "
    "pour les salaires.\n"
)
UNDATED = "Note sur les plateformes chimiques\n\nLa plateforme de Roussillon attend des investissements.\n"
FORGE = "Note sur la forge de Rive-de-Gier\n\nLa forge attend un repreneur pour ses presses.\n"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("review")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "tract-ftm.txt").write_text(FTM, encoding="utf-8")
    (corpus / "note-sans-date.txt").write_text(UNDATED, encoding="utf-8")
    (corpus / "note-forge.txt").write_text(FORGE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARCHIVE_NER", "0")
        report = index_corpus(corpus, index)
    assert report.failed == [], report.failed
    return corpus, index


@pytest.fixture(scope="module")
def server(archive: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    corpus, index = archive
    with streamlit_server(corpus, index, tmp_path_factory.mktemp("log"), admin_password=PASSWORD) as base:
        yield base


@pytest.fixture
def page(server) -> Iterator[object]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
        context.set_default_timeout(WAIT_MS)
        yield context.new_page()
        context.close()
        chromium.close()


def open_app(page, base: str, query: str = "") -> None:
    page.goto(base + "/" + query)
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    expect(page.get_by_role("radio").first).to_be_visible()


def cards(page):
    return page.locator(".arc-card:not(.arc-partial)")


def doc_id(index: Path, name: str) -> str:
    engine = open_engine(index)
    try:
        return next(h.id for h in engine.search(SearchRequest(limit=50)).hits if h.path == name)
    finally:
        engine.close()


def cgt_documents(index: Path) -> set[str]:
    engine = open_engine(index)
    try:
        return {h.path for h in engine.search(SearchRequest(filters={"actor": ["CGT"]}, limit=50)).hits}
    finally:
        engine.close()


def test_actor_facet_grouped_by_kind_and_confederation_finds_federation(page, server, archive) -> None:
    _, index = archive
    expected = cgt_documents(index)
    assert "tract-ftm.txt" in expected and len(expected) >= 2
    open_app(page, server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    for heading in ("Syndicats", "Entreprises", "État et ministères", "Élus et personnalités"):
        expect(sidebar.locator(".arc-group", has_text=heading)).to_have_count(1)
    # FILPAC CGT is listed under CGT; FTM-CGT (named only by its full name) counts for CGT.
    expect(sidebar.locator('[data-testid="stCheckbox"]').filter(has_text="↳ FILPAC CGT")).to_have_count(1)
    cgt = sidebar.locator('[data-testid="stCheckbox"]').filter(has_text=re.compile(r"^CGT \("))
    expect(cgt).to_contain_text(f"CGT ({len(expected)})")
    cgt.first.click()
    expect(page).to_have_url(re.compile(r"acteur=CGT"))
    expect(cards(page)).to_have_count(len(expected))
    tract = cards(page).filter(has_text="tract-ftm.txt")
    expect(tract).to_have_count(1)
    # The card shows what the text names, not the confederation.
    expect(tract.locator(".arc-badge.actor")).to_have_text(["FTM-CGT"])


def test_correct_a_document_behind_the_password(page, server, archive) -> None:
    corpus, index = archive
    original = (corpus / "note-sans-date.txt").read_bytes()
    open_app(page, server, "?vue=verifier")
    expect(page.get_by_role("heading", name="À vérifier", exact=True)).to_be_visible()
    undated = page.locator('[data-testid="stExpander"]').filter(has_text="Aucune date trouvée")
    expect(undated).to_contain_text("Note sur les plateformes chimiques")

    open_app(page, server, f"?vue=document&doc={doc_id(index, 'note-sans-date.txt')}")
    table = page.locator(".arc-meta-table").first
    expect(table).to_contain_text("date : aucune date trouvée")
    expect(table).to_contain_text("titre : première ligne qui ressemble à un titre")
    page.get_by_text("Corriger les métadonnées").click()
    # Changing the archive needs the administrator password.
    page.get_by_label("Mot de passe administrateur").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Mot de passe incorrect.")).to_be_visible()
    page.get_by_label("Mot de passe administrateur").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    date_box = page.get_by_label("Date (2020, 2020-09 ou 2020-09-17)")
    expect(date_box).to_be_visible()
    date_box.fill("2019-06")
    schemes = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Dispositifs")
    schemes.locator("input").click()
    schemes.locator("input").fill("France 2030")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Enregistrer les corrections").click()
    expect(page.get_by_text("Corrections enregistrées")).to_be_visible(timeout=90_000)

    table = page.locator(".arc-meta-table").first
    expect(table).to_contain_text("juin 2019")
    expect(table).to_contain_text("date : corrigé dans l'application")
    expect(table).to_contain_text("dispositifs : corrigé dans l'application")
    expect(table.locator(".arc-badge.scheme")).to_have_text(["France 2030"])
    expect(table).to_contain_text("acteurs : noms et alias du gazetteer des acteurs")  # untouched: still extracted
    side = read_sidecar(corpus / "note-sans-date.txt")
    assert side["date"] == "2019-06" and side["schemes"] == ["France 2030"]
    assert sorted(side["corrected"]) == ["date", "schemes"]
    assert (corpus / "note-sans-date.txt").read_bytes() == original

    open_app(page, server, "?vue=verifier")
    expect(page.get_by_role("heading", name="À vérifier", exact=True)).to_be_visible()
    expect(page.get_by_text("Note sur les plateformes chimiques")).to_have_count(0)
    open_app(page, server, "?dispositif=" + quote("France 2030"))
    expect(cards(page)).to_have_count(1)
    expect(cards(page).first).to_contain_text("Note sur les plateformes chimiques")


def date_of(index: Path, doc: str) -> str | None:
    engine = open_engine(index)
    try:
        record = engine.document(doc)
        return record.date if record is not None else None
    finally:
        engine.close()


def test_a_correction_survives_clicking_away_and_closing_the_tab(page, server, archive) -> None:
    """The correction's indexing ran in the page, which stayed blocked while another writer held
    the index (and a rerun could cancel or replay it). The write and the indexing are now one job
    of the server's indexing thread: the page says so in French, the researcher can leave, close
    the tab, and the correction still reaches search."""
    corpus, index = archive
    doc = doc_id(index, "note-forge.txt")
    assert date_of(index, doc) is None
    lock = WriteLock(index, timeout=5, purpose="test : un autre processus écrit")
    lock.acquire()  # another writer (the watcher's batch, `archive index`) holds the index meanwhile
    try:
        open_app(page, server, f"?vue=document&doc={doc}")
        page.get_by_text("Corriger les métadonnées").click()
        page.get_by_label("Mot de passe administrateur").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        date_box = page.get_by_label("Date (2020, 2020-09 ou 2020-09-17)")
        date_box.fill("2017-11")
        page.get_by_role("button", name="Enregistrer les corrections").click()
        expect(page.locator('[data-testid="stProgress"]').first).to_be_visible()
        expect(
            page.get_by_text("Vous pouvez continuer à naviguer : l'indexation se poursuit sur le serveur.")
        ).to_be_visible()
        expect(page.locator('[data-testid="stProgress"]').first).to_contain_text("Réindexation du document corrigé")
        page.locator('[data-testid="stSidebar"]').get_by_text("Recherche", exact=True).click()  # click away
        expect(page.get_by_role("textbox", name="Rechercher dans l'archive")).to_be_visible()
        page.close()  # and close the tab
    finally:
        lock.release()
    deadline = time.monotonic() + 180
    while date_of(index, doc) != "2017-11" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert date_of(index, doc) == "2017-11"
    side = read_sidecar(corpus / "note-forge.txt")
    assert side["date"] == "2017-11" and side["corrected"] == ["date"]
