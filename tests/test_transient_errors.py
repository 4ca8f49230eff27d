"""An update that fails for a passing reason (disk full) fails clearly and changes nothing.

Before, any error in an incremental run triggered a full rebuild: on a full disk it failed
the same way after a whole pass, with « unexpected error: OSError ». The disk is filled
for real: `archive index` runs with RLIMIT_FSIZE, so the index writer's files hit the limit.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from archive_testing import ROOT, assert_converged, ner_off, search_paths

from archive import store
from conftest import SEEDS
from indexer.pipeline import index_corpus


def _file_size_limit(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _index(corpus: Path, index: Path, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive_cli", "index", "--corpus", str(corpus), "--index", str(index)]
        + ["--jobs", "1", "--json"],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_NER": "0", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_file_size_limit(limit) if limit else None,
    )


def test_a_full_disk_fails_the_update_clearly_and_the_next_run_resumes(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        index_corpus(corpus, index)
    live = store.live_dir(index)
    before = sorted(p.name for p in index.iterdir())
    rng = random.Random(7)
    words = [f"mot{rng.randrange(10**6)}" for _ in range(120_000)]
    (corpus / "gros.txt").write_text("Rapport volumineux sur Zanzibarville\n\n" + " ".join(words), encoding="utf-8")

    failed = _index(corpus, index, limit=256 * 1024)
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    assert "limite de taille" in failed.stderr or "disque plein" in failed.stderr, failed.stderr
    assert "reste consultable" in failed.stderr
    # No rebuild was attempted: the same live generation, nothing new beside it.
    assert store.live_dir(index) == live
    assert sorted(p.name for p in index.iterdir()) == before
    assert search_paths(index, "réindustrialisation")  # the old documents are still found
    assert not search_paths(index, "Zanzibarville")

    resumed = _index(corpus, index)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["added"] == 1 and report["unchanged"] == 5  # resumed, not rebuilt
    assert store.live_dir(index) == live
    assert search_paths(index, "Zanzibarville") == {"gros.txt"}
    assert_converged(corpus, index)
