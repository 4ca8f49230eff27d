"""Time from « Enregistrer les corrections » to « Corrections enregistrées » in Chromium.

    python benchmarks/bench_correction.py [--rounds 3] [--typing 3]

The app over a copy of the bundled corpus, the French model on (the default install), behind an
administrator password: each round opens a document, opens « Corriger les métadonnées », logs in,
waits `--typing` seconds (the researcher typing), changes the title and saves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402
from test_browser_review import doc_id, open_app  # noqa: E402

from indexer.pipeline import index_corpus  # noqa: E402

PASSWORD = "banc-d-essai"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--typing", type=float, default=3.0, help="seconds between opening the form and saving")
    args = parser.parse_args()
    os.chdir(ROOT)
    base = Path(tempfile.mkdtemp(prefix="bench-correction-"))
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    index_corpus(corpus, index)
    name = sorted(p.name for p in corpus.iterdir() if p.suffix in (".txt", ".md", ".html"))[0]
    times: list[float] = []
    with streamlit_server(corpus, index, base, admin_password=PASSWORD, extra_env={"ARCHIVE_NER": "1"}) as url:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for n in range(args.rounds):
                open_app(page, url, f"?vue=document&doc={doc_id(index, name)}")
                page.get_by_text("Corriger les métadonnées").click()
                page.get_by_label("Mot de passe administrateur").fill(PASSWORD)
                page.get_by_role("button", name="Se connecter").click()
                title = page.get_by_label("Titre", exact=True)
                expect(title).to_be_visible(timeout=60_000)
                time.sleep(args.typing)
                title.fill(f"Titre corrigé {n}")
                started = time.monotonic()
                page.get_by_role("button", name="Enregistrer les corrections").click()
                expect(page.get_by_text("Corrections enregistrées")).to_be_visible(timeout=90_000)
                times.append(time.monotonic() - started)
            browser.close()
    shutil.rmtree(base, ignore_errors=True)
    print("seconds from « Enregistrer » to « Corrections enregistrées »: " + ", ".join(f"{t:.2f}" for t in times))


if __name__ == "__main__":
    main()
