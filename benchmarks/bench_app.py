"""How long the real app takes to answer in a browser, on a large index.

    python benchmarks/bench_app.py --corpus /tmp/bc/c100k --index /tmp/bc/i100k [--rounds 3]

Starts `streamlit run app.py` on the given corpus and index and drives Debian's
Chromium through Playwright. It times, from the user's action to the answer
being on screen:

- a query typed in the search box, until the result count is shown;
- a click on an actor in the facet list, until the filtered count is shown;
- the timeline view, until its chart is drawn;
- a document opened from the results, until its page is shown.

The expected counts come from the same index through `archive`.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.engine import open_engine  # noqa: E402
from archive.models import SearchRequest  # noqa: E402

QUERIES = ["industrie", "transition écologique", "usine fermeture salariés", '"plan social"', "hydrogene"]
CHROMIUM = "/usr/bin/chromium"


def count_pattern(total: int) -> re.Pattern[str]:
    """« 33 118 documents trouvés », whatever space separates the thousands."""
    digits = f"{total:,}".replace(",", r"[\s\u202f\u00a0]?")
    return re.compile(rf"(?<!\d){digits} documents? trouvés?")


def start_app(corpus: Path, index: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, ARCHIVE_CORPUS=str(corpus), ARCHIVE_INDEX=str(index), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("streamlit did not start")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=120_000)

    engine = open_engine(args.index)
    expected = {}
    for q in QUERIES:
        result = engine.search(SearchRequest(query=q, limit=1))
        actor = next(a for a, n in result.facets["actor"].items() if 0 < n < result.total)
        expected[q] = (result.total, actor, result.facets["actor"][actor])
    documents = engine.stats().documents
    engine.close()

    times: dict[str, list[float]] = {"query": [], "facet click": [], "timeline": [], "document": []}
    process, base = start_app(args.corpus, args.index)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
            page.set_default_timeout(120_000)
            started = time.perf_counter()
            page.goto(base + "/")
            expect(page.get_by_text(count_pattern(documents))).to_be_visible()
            first_load = time.perf_counter() - started
            box = page.get_by_role("textbox", name="Rechercher dans l'archive")
            for _ in range(args.rounds):
                for q in QUERIES:
                    total, actor, filtered = expected[q]
                    page.goto(base + "/")
                    expect(page.get_by_text(count_pattern(documents))).to_be_visible()
                    box.fill(q)
                    started = time.perf_counter()
                    box.press("Enter")
                    expect(page.get_by_text(count_pattern(total))).to_be_visible()
                    times["query"].append(time.perf_counter() - started)

                    checkbox = page.locator('[data-testid="stCheckbox"]').filter(has_text=f"{actor} (").first
                    started = time.perf_counter()
                    checkbox.click()
                    expect(page.get_by_text(count_pattern(filtered))).to_be_visible()
                    times["facet click"].append(time.perf_counter() - started)

                    title = page.locator(".arc-card:not(.arc-partial) .arc-title a").first
                    started = time.perf_counter()
                    title.click()
                    expect(page.get_by_text("Documents similaires")).to_be_visible()
                    times["document"].append(time.perf_counter() - started)

                    started = time.perf_counter()
                    page.goto(base + "/?vue=chronologie&q=" + urllib.request.quote(q))
                    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
                    times["timeline"].append(time.perf_counter() - started)
            browser.close()
    finally:
        process.terminate()
        process.wait(10)
    print(f"documents: {documents}   first page load (engine open included): {first_load:.2f} s")
    for name, values in times.items():
        if not values:
            continue
        ms = sorted(v * 1000 for v in values)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        print(f"  {name:12s} median {statistics.median(ms):7.0f} ms   p95 {p95:7.0f} ms   ({len(ms)} runs)")


if __name__ == "__main__":
    main()
