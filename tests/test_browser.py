"""End to end: the real app (`streamlit run app.py`) driven in Debian's Chromium through Playwright.

One Streamlit server and one browser for the whole module, on a temporary copy of
the seeds plus two hostile documents. Set ARCHIVE_SCREENSHOTS=docs/screenshots to
(re)write the README screenshots while the tests run.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from archive_testing import place_counts

from archive.engine import open_engine
from archive.models import SearchRequest
from indexer.pipeline import index_corpus
from pdfgen import make_pdf
from ui.page_language import BROWSE_LABEL, DROPZONE_LABEL, SKIP_LINK_TEXT

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE_HTML = (
    "<html><head><title>Note <script>window.__pwned=1</script> piégée</title></head><body>"
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    "<p>La relocalisation des vallées alpines passe par la formation des salariés "
    "et une politique industrielle ambitieuse.</p></body></html>"
)
HOSTILE_TEXT = (
    'Note piégée <script>window.__pwned=3</script><img src=x onerror="window.__pwned=4"> '
    "sur la politique industrielle des Hautes-Alpes et la filière des téléphériques.\n"
)
BROKEN = "casse.pdf"
WAIT_MS = 60_000  # generous: only guards against a hang (a loaded machine is slow, not wrong)
SHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402  (after the skip on purpose)

expect.set_options(timeout=WAIT_MS)  # its own default is 5 s, whatever the page's timeout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not start in time")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("browser")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "piege.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (corpus / "piege-texte.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (corpus / BROKEN).write_bytes(b"%PDF-1.4\nceci n'est pas un PDF valide")
    report = index_corpus(corpus, index)
    assert [f["path"] for f in report.failed] == [BROKEN], report.failed
    return corpus, index


@pytest.fixture(scope="module")
def server(archive: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    corpus, index = archive
    with streamlit_server(corpus, index, tmp_path_factory.mktemp("log")) as base:
        yield base


@contextmanager
def streamlit_server(
    corpus: Path,
    index: Path,
    log_dir: Path,
    admin_password: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """`streamlit run app.py` on a free port over this corpus and index (and `extra_env`);
    yields its base URL."""
    port = free_port()
    # Named-entity recognition off: loading spaCy in each extraction worker counts against the
    # per-file time limit, which a loaded machine can exceed (uploads then fail by time-out).
    env = dict(os.environ, ARCHIVE_CORPUS=str(corpus), ARCHIVE_INDEX=str(index), ARCHIVE_NER="0")
    for name in ("ARCHIVE_READONLY", "ARCHIVE_ADMIN_PASSWORD"):
        env.pop(name, None)
    if admin_password is not None:
        env["ARCHIVE_ADMIN_PASSWORD"] = admin_password
    env.update(extra_env or {})
    log = (log_dir / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://localhost:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="fr-FR")
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def open_app(page, base: str, query: str = "") -> None:
    page.goto(base + "/" + query)
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=WAIT_MS)
    expect(page.get_by_role("radio").first).to_be_visible()


def cards(page):
    return page.locator(".arc-card:not(.arc-partial)")


def download(page, button: str | re.Pattern[str]):
    """Click a download button once the page's script has finished its run: a click during a rerun
    lands on the button being replaced and downloads nothing (about one run in ten of the export
    below, before this wait)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=WAIT_MS)
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return info.value


def search_box(page):
    return page.get_by_role("textbox", name="Rechercher dans l'archive")


def shot(page, name: str) -> None:
    """Save a small screenshot for the README when ARCHIVE_SCREENSHOTS is set."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    try:
        from PIL import Image

        image = Image.open(path).convert("RGB")
        image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    except ImportError:
        pass


def actor_to_filter(index: Path) -> tuple[str, int]:
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(query="réindustrialisation", limit=20))
        for actor, n in result.facets["actor"].items():
            if 0 < n < result.total:
                return actor, n
    finally:
        engine.close()
    pytest.skip("no actor narrows the seed results")


def assert_not_pwned(page) -> None:
    assert page.evaluate("window.__pwned") is None


# -- tests -------------------------------------------------------------------------------------


def test_search_and_filter_by_actor(page, server, archive) -> None:
    _, index = archive
    open_app(page, server)
    search_box(page).fill("réindustrialisation")
    search_box(page).press("Enter")
    expect(page).to_have_url(re.compile(r"q=r%C3%A9industrialisation"))
    expect(cards(page)).to_have_count(3)
    expect(cards(page).first.locator("mark").first).to_be_visible()
    expect(page.get_by_text("3 documents trouvés")).to_be_visible()
    shot(page, "recherche")

    actor, n = actor_to_filter(index)
    page.locator('[data-testid="stCheckbox"]').filter(has_text=f"{actor} (").first.click()
    expect(page).to_have_url(re.compile(r"acteur="))
    expect(cards(page)).to_have_count(n)
    for i in range(n):
        expect(cards(page).nth(i)).to_contain_text(actor)
    # The chip removes the filter; the back button brings it back.
    page.get_by_role("button", name=re.compile(f"^Acteur : {re.escape(actor)}")).click()
    expect(cards(page)).to_have_count(3)
    page.go_back()
    expect(page).to_have_url(re.compile(r"acteur="))
    expect(cards(page)).to_have_count(n)
    # The export holds the whole filtered result set.
    exported = download(page, "Exporter en CSV")
    rows = list(csv.reader(io.StringIO(Path(exported.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == n + 1 and rows[0][:2] == ["id", "titre"]
    assert all(actor in row[6] for row in rows[1:])


def test_open_and_download_a_document(page, server, archive) -> None:
    corpus, _ = archive
    open_app(page, server, "?q=" + quote("réindustrialisation"))
    expect(cards(page)).to_have_count(3)
    first = cards(page).first.locator(".arc-title a")
    title = first.inner_text()
    path_shown = cards(page).first.locator(".arc-muted").last.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"vue=document"))
    expect(page.locator("h1").first).to_have_text(title)
    expect(page.get_by_text("Métadonnées", exact=True)).to_be_visible()
    expect(page.locator(".arc-fulltext mark").first).to_be_visible()
    expect(page.get_by_text("Documents similaires")).to_be_visible()
    shot(page, "document")
    original = download(page, re.compile("Télécharger l'original"))
    assert Path(original.path()).read_bytes() == (corpus / path_shown).read_bytes()
    assert original.suggested_filename == Path(path_shown).name


def test_shared_url_reopens_the_same_state(browser, server, archive) -> None:
    _, index = archive
    actor, n = actor_to_filter(index)
    link = f"?q={quote('réindustrialisation')}&acteur={quote(actor)}&tri=-date"
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    try:
        seen = []
        for context in contexts:  # two independent visitors open the same link
            tab = context.new_page()
            tab.set_default_timeout(WAIT_MS)
            open_app(tab, server, link)
            expect(search_box(tab)).to_have_value("réindustrialisation")
            expect(cards(tab)).to_have_count(n)
            checkbox = tab.locator('[data-testid="stCheckbox"]').filter(has_text=f"{actor} (").first
            expect(checkbox.locator("input")).to_be_checked()
            expect(tab.get_by_role("button", name=re.compile(f"^Acteur : {re.escape(actor)}"))).to_be_visible()
            seen.append([cards(tab).nth(i).locator(".arc-title").inner_text() for i in range(n)])
        assert seen[0] == seen[1]
    finally:
        for context in contexts:
            context.close()


def test_on_a_phone_the_sidebar_closes_after_a_filter_choice(browser, server, archive) -> None:
    _, index = archive
    actor, n = actor_to_filter(index)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        tab = context.new_page()
        tab.set_default_timeout(WAIT_MS)
        open_app(tab, server, f"?q={quote('réindustrialisation')}")
        sidebar = tab.locator('[data-testid="stSidebar"]')
        if sidebar.get_attribute("data-collapsed") != "false":
            tab.locator('[data-testid="stExpandSidebarButton"]').click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        tab.locator('[data-testid="stCheckbox"]').filter(has_text=f"{actor} (").first.click()
        expect(tab).to_have_url(re.compile(r"acteur="))
        expect(sidebar).to_have_attribute("data-collapsed", "true")  # the results show again
        expect(cards(tab)).to_have_count(n)
        expect(cards(tab).first).to_be_in_viewport()
    finally:
        context.close()


def test_a_closed_facet_fills_when_opened_and_stays_open_with_a_choice(page, server, archive) -> None:
    """« Lieux » starts closed and empty (its values are built only once it is opened): opening it
    shows them, ticking one filters and leaves it open, unticking too, and closing it empties it."""
    _, index = archive
    places = place_counts(index)
    place = next(iter(places))
    open_app(page, server)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(cards(page).first).to_be_visible()
    facet = sidebar.locator('[data-testid="stExpander"]').filter(has_text="Lieux")
    boxes = facet.locator('[data-testid="stCheckbox"]')
    expect(boxes).to_have_count(0)
    facet.get_by_text("Lieux", exact=True).click()
    value = boxes.filter(has_text=f"{place} (")
    expect(value).to_have_count(1)
    value.click()
    expect(page).to_have_url(re.compile(r"lieu="))
    expect(cards(page)).to_have_count(min(places[place], 10))
    expect(value.locator("input")).to_be_checked()
    value.click()  # unticked: the list stays open
    expect(page).not_to_have_url(re.compile(r"lieu="))
    expect(value.locator("input")).not_to_be_checked()
    facet.get_by_text("Lieux", exact=True).click()
    expect(boxes).to_have_count(0)
    # The documents per year: one HTML bar a year, titled with its count.
    bars = sidebar.locator(".arc-year")
    expect(bars.first).to_have_attribute("title", re.compile(r"^\d{4} : \d+ documents?$"))


def test_hostile_documents_do_not_run_and_show_as_text(page, server) -> None:
    open_app(page, server, "?q=" + quote("vallées alpines"))
    expect(cards(page)).to_have_count(1)
    assert_not_pwned(page)
    open_app(page, server, "?q=" + quote("téléphériques"))
    expect(cards(page)).to_have_count(1)
    # The markup is in the title and the snippet, shown literally.
    expect(cards(page).first).to_contain_text("<script>window.__pwned=3</script>")
    assert page.locator(".arc-card img").count() == 0
    assert_not_pwned(page)
    cards(page).first.locator(".arc-title a").click()
    expect(page).to_have_url(re.compile(r"vue=document"))
    expect(page.locator(".arc-fulltext")).to_contain_text('<img src=x onerror="window.__pwned=4">')
    expect(page.locator("h1").first).to_contain_text("<script>")
    assert_not_pwned(page)


def test_the_page_declares_french_and_names_the_uploader_in_french(page, server) -> None:
    """Streamlit serves « lang="en" » and an uploader named « Drag and drop files here »: a screen
    reader read the whole French page with English rules."""
    open_app(page, server, "?vue=ajouter")
    zone = page.locator('[data-testid="stFileUploaderDropzone"]')
    expect(zone).to_have_attribute("aria-label", DROPZONE_LABEL)
    expect(zone.get_by_role("button", name=BROWSE_LABEL)).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fr"
    english = zone.locator('[data-testid="stFileUploaderDropzoneInstructions"] span')
    assert all(h == "true" for h in english.evaluate_all("els => els.map(e => e.getAttribute('aria-hidden'))"))
    # The search view, opened afresh, is French too, down to the skip link the first Tab shows.
    open_app(page, server, "?q=industrie")
    assert page.evaluate("document.documentElement.lang") == "fr"
    skip = page.locator('[data-testid="stSkipToContent"]')
    expect(skip).to_have_text(SKIP_LINK_TEXT)


def test_upload_a_pdf_and_find_it(page, server, archive, tmp_path: Path) -> None:
    corpus, _ = archive
    pdf = make_pdf(
        tmp_path / "Rapport hydrogène Fos.pdf",
        [
            "Rapport sur la filière hydrogène à Fos-sur-Mer.",
            "Les électrolyseurs géants de la zone industrialo-portuaire emploient 300 salariés.",
        ],
        title="Rapport hydrogène Fos",
    )
    open_app(page, server, "?vue=ajouter")
    expect(page.get_by_role("heading", name="Ajouter des documents")).to_be_visible()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(pdf))
    expect(page.locator('[data-testid="stFileChip"]')).to_have_count(1)
    page.get_by_role("button", name=re.compile("Ajouter à l'archive")).click()
    done = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="indexé")
    expect(done).to_be_visible(timeout=3 * WAIT_MS)
    shot(page, "ajouter")
    assert (corpus / "uploads" / "Rapport hydrogène Fos.pdf").read_bytes() == pdf.read_bytes()

    # The same file again is a duplicate, not a second copy.
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(pdf))
    expect(page.locator('[data-testid="stFileChip"]')).to_have_count(1)
    page.get_by_role("button", name=re.compile("Ajouter à l'archive")).click()
    expect(page.locator('[data-testid="stAlertContentInfo"]').filter(has_text="doublon")).to_be_visible()
    assert not (corpus / "uploads" / "Rapport hydrogène Fos (2).pdf").exists()

    open_app(page, server, "?q=" + quote("électrolyseurs"))
    expect(cards(page)).to_have_count(1)
    expect(cards(page).first).to_contain_text("hydrogène")


def chart_bars(page) -> dict[tuple[str, str], int]:
    """(period, series) → count, read from the bars the timeline chart drew (its SVG's labels)."""
    bars = page.locator('[data-testid="stMain"] [aria-roledescription="bar"]')
    expect(bars.first).to_be_attached()
    out = {}
    for label in bars.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))"):
        fields = dict(part.split(": ", 1) for part in label.split("; ") if ": " in part)
        assert "Documents" in fields, label
        out[(fields["période"], fields["Série"])] = int(fields["Documents"])
    return out


def all_hits(index: Path) -> list:
    engine = open_engine(index)
    try:
        return engine.search(SearchRequest(limit=1000, with_snippets=False)).hits
    finally:
        engine.close()


def test_clicking_during_an_upload_indexing_does_not_cancel_it(page, server, archive, tmp_path: Path) -> None:
    """The indexing ran in the page: any click (a Streamlit rerun) cancelled it and the uploaded
    files stayed unindexed. It now runs in the server's worker; the page only polls it."""
    files = []
    for i in range(8):
        path = tmp_path / f"note-{i}.txt"
        path.write_text(
            f"Note {i} du comité de filière : les ateliers de Gravelotte{i} et la coopérative "
            "Zorglubienne lancent une ligne de recyclage des batteries.",
            encoding="utf-8",
        )
        files.append(str(path))
    open_app(page, server, "?vue=ajouter")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(files)
    expect(page.locator('[data-testid="stFileChip"]')).to_have_count(len(files))
    page.get_by_role("button", name=re.compile("Ajouter à l'archive")).click()
    expect(page.locator('[data-testid="stProgress"]').first).to_be_visible(timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("Recherche", exact=True).click()  # navigate away
    expect(search_box(page)).to_be_visible()
    search_box(page).fill("Zorglubienne")
    search_box(page).press("Enter")
    answered = page.get_by_text(re.compile("documents? trouvés?|Aucun document"))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        open_app(page, server, "?q=Zorglubienne")
        expect(answered.first).to_be_visible(timeout=60_000)
        if cards(page).count() == len(files):
            break
        page.wait_for_timeout(2000)
    corpus, _ = archive
    assert sorted(p.name for p in (corpus / "uploads").glob("note-*.txt")) == [f"note-{i}.txt" for i in range(8)]
    expect(cards(page)).to_have_count(len(files))


def test_timeline_shows_the_documents_per_year(page, server, archive) -> None:
    _, index = archive
    hits = all_hits(index)
    open_app(page, server, "?vue=chronologie")
    expect(page.get_by_role("heading", name="Chronologie")).to_be_visible()
    per_year = Counter(str(h.year) for h in hits if h.year)
    expected = {(str(y), "documents"): per_year.get(str(y), 0) for y in range(2011, 2027)}
    assert wait_for_bars(page, lambda bars: bars == expected) == expected
    undated = sum(1 for h in hits if not h.year)
    expect(page.get_by_text(f"{undated} documents sans date (hors graphique)")).to_be_visible()
    # Clicking a bar lists that year's documents.
    page.locator('[data-testid="stMain"] [aria-roledescription="bar"][aria-label^="période: 2026;"]').click()
    expect(page).to_have_url(re.compile(r"periode=2026"))
    expect(page.get_by_role("heading", name="Documents de 2026")).to_be_visible()
    expect(page.locator(".arc-card")).to_have_count(per_year["2026"])

    page.get_by_role("radio", name="Par thème").click()
    expect(page).to_have_url(re.compile(r"couleur=theme"))
    bars = wait_for_bars(page, lambda bars: {series for _, series in bars} != {"documents"})
    themes = {series for _, series in bars} - {"autres"}
    assert themes and len(themes) <= 6
    for (period, theme), n in bars.items():
        if theme != "autres":
            assert n == sum(1 for h in hits if str(h.year) == period and theme in h.themes), (period, theme)
    shot(page, "chronologie")


def wait_for_bars(page, ready) -> dict[tuple[str, str], int]:
    """The chart's bars once `ready(bars)` (vega redraws after the page changes), or at the deadline."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        bars = chart_bars(page)
        if ready(bars) or time.monotonic() > deadline:
            return bars
        page.wait_for_timeout(200)


def test_status_view_lists_the_unreadable_file(page, server) -> None:
    open_app(page, server, "?vue=etat")
    expect(page.get_by_role("heading", name="État de l'archive")).to_be_visible()
    expect(page.get_by_text("Fichiers illisibles (1)")).to_be_visible()
    expect(page.get_by_text(BROKEN, exact=True)).to_be_visible()
    expect(page.get_by_text("PDF illisible ou corrompu")).to_be_visible()
    expect(page.get_by_role("button", name="Réessayer", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Réindexer"))).to_be_visible()
    shot(page, "etat")
