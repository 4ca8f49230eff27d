"""Research workflows end to end in Chromium: saved searches (the app saves a search, serves its Atom
feed through Streamlit static serving, keeps a browser id in a cookie and shows « N nouveaux » per
browser) and « Évolution des termes »."""

from __future__ import annotations

import re
import secrets
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from archive_testing import ner_off, wait_for
from test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, download, open_app, shot, streamlit_server

from archive.lab import LabDB
from conftest import SEEDS
from indexer.pipeline import index_corpus

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
LAB = Path()  # the lab database of the module's app (set by `setup`)
NEW_TEXT = "Communiqué de la CGT, 12 mai 2024.\n\nLa CGT demande la réindustrialisation des hauts-fourneaux.\n"

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

expect.set_options(timeout=WAIT_MS)  # the machine is shared: reruns can take more than 5 s


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path, Path]]:
    global LAB
    base = tmp_path_factory.mktemp("veille-browser")
    LAB = base / "lab.sqlite"
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert not index_corpus(corpus, index).failed
    # Streamlit serves only the static/ folder beside app.py: the feeds go to a folder of their own there.
    feeds = ROOT / "static" / "feeds" / f"test-{secrets.token_hex(4)}"
    try:
        with streamlit_server(
            corpus, index, base, extra_env={"ARCHIVE_LAB_DB": str(LAB), "ARCHIVE_FEEDS_DIR": str(feeds)}
        ) as base_url:
            yield base_url, corpus, index, feeds
    finally:
        shutil.rmtree(feeds, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    return context, context.new_page()


def saved_button(page, name: str):
    """The sidebar button of a saved search (its widget key is w_saved_<id>; the database is fresh).
    The click that saves it returns before the app has written it: wait for the row."""
    search = wait_for(lambda: LabDB(LAB).search_named(name), WAIT_MS / 1000)
    assert search is not None, name
    return page.locator(f'[data-testid="stSidebar"] [class~="st-key-w_saved_{search.id}"]').get_by_role("button")


def test_save_a_search_subscribe_to_its_feed_and_see_new_documents(browser, setup) -> None:
    base, corpus, index, feeds = setup
    context, page = new_page(browser)
    open_app(page, base, "?q=" + quote("réindustrialisation"))
    expect(page.get_by_text(re.compile(r"documents? trouvés?"))).to_be_visible()
    page.get_by_role("button", name=re.compile("Enregistrer la recherche")).click()
    page.get_by_role("textbox", name="Nom de la recherche").fill("Sidérurgie")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(saved_button(page, "Sidérurgie")).to_have_text("Sidérurgie")
    cookie = {c["name"]: c["value"] for c in context.cookies()}.get("archive_lecteur", "")
    assert re.fullmatch(r"[0-9a-f]{32}", cookie)

    # The feed link of the sidebar is served by the app and parses as Atom.
    href = page.locator('[data-testid="stSidebar"] a.arc-feed').first.get_attribute("href")
    assert href and href.startswith("app/static/feeds/test-")
    with urllib.request.urlopen(f"{base}/{href}", timeout=10) as response:
        feed = feedparser.parse(response.read())
    assert not feed.bozo and feed.feed.title == "Veille : Sidérurgie"
    before = len(feed.entries)
    assert before >= 1

    # A document arrives; this browser (cookie kept) and another one both see it as new.
    (corpus / "cgt-hauts-fourneaux.txt").write_text(NEW_TEXT, encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
    page.goto(base + "/")
    expect(saved_button(page, "Sidérurgie")).to_have_text("Sidérurgie · 1 nouveau")
    shot(page, "veille")
    other_context, other = new_page(browser)
    open_app(other, base)
    expect(saved_button(other, "Sidérurgie")).to_have_text("Sidérurgie · 1 nouveau")
    with urllib.request.urlopen(f"{base}/{href}", timeout=10) as response:
        feed = feedparser.parse(response.read())
    assert len(feed.entries) == before + 1 and "hauts-fourneaux" in feed.entries[0].summary

    # Opening it in the first browser clears its count there, not in the other.
    saved_button(page, "Sidérurgie").click()
    expect(page).to_have_url(re.compile(r"q=r%C3%A9industrialisation"))
    expect(saved_button(page, "Sidérurgie")).to_have_text("Sidérurgie")
    page.reload()
    expect(saved_button(page, "Sidérurgie")).to_have_text("Sidérurgie")
    other.reload()
    expect(saved_button(other, "Sidérurgie")).to_have_text("Sidérurgie · 1 nouveau")
    other_context.close()
    context.close()


def test_term_trends_view_draws_lists_and_exports(browser, setup) -> None:
    base, _, _, _ = setup
    context, page = new_page(browser)
    open_app(page, base, "?vue=evolution&t=industrie&t=" + quote("acteur:CGT") + "&mesure=part")
    expect(page.get_by_role("heading", name="Évolution des termes")).to_be_visible()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible()
    expect(chart.get_by_text("1. industrie")).to_be_visible()  # the legend
    shot(page, "evolution")
    # Clicking a point lists its documents (Vega draws SVG and labels each point for screen readers).
    # (2011: the two series' points do not overlap there.)
    point = chart.locator('g.mark-symbol path[aria-label*="2011"][aria-label*="1. industrie"]')
    expect(point).to_have_count(1)
    point.click(force=True)
    expect(page).to_have_url(re.compile(r"periode=2011.*serie=0"))
    expect(page.get_by_role("heading", name=re.compile(r"1\. industrie — 2011"))).to_be_visible()
    page.goto(base + "/?vue=evolution&t=industrie&t=" + quote("acteur:CGT"))
    # A point's documents, chosen from the list under the chart.
    page.get_by_role("combobox", name=re.compile("Lister les documents")).click()
    page.keyboard.type("industrie — 2026")  # the list is long and drawn in part: filter it first
    page.get_by_role("option", name=re.compile(r"^1\. industrie — 2026")).click()
    expect(page).to_have_url(re.compile(r"periode=2026"))
    expect(page.get_by_role("heading", name=re.compile(r"1\. industrie — 2026"))).to_be_visible()
    expect(page.locator(".arc-card a").first).to_be_visible()
    # The export buttons are there (the SVG they serve is checked in test_trends_image_export: the
    # download event of a deferred download button did not reach Playwright after the merges).
    page.get_by_text("Tableau des valeurs et exports").click()
    expect(page.get_by_role("button", name="Image SVG")).to_be_visible()
    context.close()


def test_a_long_saved_search_name_and_its_new_count_are_not_cut_off(browser, setup) -> None:
    """The sidebar is narrow: a long name wraps instead of ending in « … », which hid « N nouveaux »."""
    base, _, _, _ = setup
    name = "Sidérurgie lorraine et avenir des hauts-fourneaux de Florange"
    LabDB(LAB).add_search(name, "Florange")
    context, page = new_page(browser)
    open_app(page, base)
    button = saved_button(page, name)
    expect(button).to_have_text(name)
    cut = button.evaluate(
        "b => [...b.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)"
    )
    assert cut == [], cut
    context.close()


def test_a_dossier_from_result_cards_with_notes_and_exports(browser, setup) -> None:
    base, corpus, index, feeds = setup
    context, page = new_page(browser)
    try:
        open_app(page, base, "?q=" + quote("réindustrialisation"))
        # The title of the card whose button is clicked: read once the page's script run is over (a
        # card of an earlier run, marked stale, may still be on screen under load).
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
        first_title = page.locator(
            '[data-testid="stElementContainer"]:not([data-stale="true"]) .arc-card:not(.arc-partial) .arc-title'
        ).first.inner_text()
        page.get_by_role("button", name="Ajouter au dossier").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("textbox", name="Nom du nouveau dossier").fill("Chapitre chimie")
        dialog.get_by_role("textbox", name="Note sur ce document (facultatif)").fill("à citer p. 12")
        dialog.get_by_role("button", name="Ajouter", exact=True).click()
        expect(page.get_by_text("Ajouté au dossier « Chapitre chimie ».")).to_be_visible()

        open_app(page, base, "?vue=dossiers")
        expect(page.get_by_role("heading", name="Dossiers")).to_be_visible()
        item = page.locator('[class*="st-key-dossier_item_"]').first
        expect(item).to_contain_text(first_title.strip())
        expect(item.get_by_role("textbox", name="Note")).to_have_value("à citer p. 12")
        shot(page, "dossiers")
        ris = Path(download(page, "Références RIS").path()).read_text(encoding="utf-8")
        assert ris.count("ER  -") == 1 and "N1  - Note du dossier : à citer p. 12" in ris
        inventory = Path(download(page, "Inventaire CSV").path()).read_text(encoding="utf-8-sig")
        assert "à citer p. 12" in inventory and first_title.strip().split(" ")[0] in inventory
    finally:
        context.close()
