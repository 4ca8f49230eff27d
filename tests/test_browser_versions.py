"""Versions of one text end to end in Chromium: a result shows « 1 autre version », opening it
leads to the other version's page, which lists the versions; the toggle lists every version."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from archive_testing import ner_off
from test_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, open_app, shot, streamlit_server
from versions_corpus import REPORT_TITLE, write_corpus

from conftest import SEEDS
from indexer.pipeline import index_corpus

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("versions-browser")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        write_corpus(corpus)
        assert not index_corpus(corpus, index).failed
    with streamlit_server(corpus, index, base) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.set_default_timeout(WAIT_MS)
        yield context.new_page()
        browser.close()


def _cards(page):
    return page.locator(".arc-card:not(.arc-partial)")


def test_open_the_other_version_of_a_result(server: str, page) -> None:
    open_app(page, server, "?q=" + quote("automobile Lorraine"))
    report = _cards(page).filter(has_text=REPORT_TITLE)
    expect(report).to_have_count(1)
    versions = report.locator("details.arc-versions")
    expect(versions.locator("summary")).to_have_text("1 autre version")
    versions.locator("summary").click()
    shot(page, "versions")
    versions.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Autres versions de ce texte")).to_be_visible()
    assert "doc=" in page.url and "vue=document" in page.url
    # The best-dated version was the draft (May 2019): the link opened the final text (June 2019),
    # whose page lists the draft.
    expect(page.locator(".arc-meta-table").first).to_contain_text("rapport-automobile-final.txt")
    listed = page.locator(".arc-version-list li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("rapport-automobile-projet.txt")
    expect(listed.get_by_role("link", name=REPORT_TITLE)).to_be_visible()


def test_the_toggle_lists_every_version(server: str, page) -> None:
    open_app(page, server, "?q=" + quote("automobile Lorraine"))
    expect(_cards(page).filter(has_text=REPORT_TITLE)).to_have_count(1)
    expect(page.get_by_text("1 autre version non comptée", exact=False)).to_be_visible()
    page.get_by_text("Regrouper les versions d'un même texte").click()
    expect(_cards(page).filter(has_text=REPORT_TITLE)).to_have_count(2)
    assert "versions=toutes" in page.url
    page.reload()
    expect(_cards(page).filter(has_text=REPORT_TITLE)).to_have_count(2)
