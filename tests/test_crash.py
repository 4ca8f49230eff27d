"""Killed at any moment, the next run converges: nothing lost, nothing twice, no stale lock.

`python -m archive_cli index` runs on a corpus of a few hundred small files and
some PDFs and is SIGKILLed at seeded random points of its life: at start-up,
during extraction (workers busy), and during the final commit (workers gone,
Whoosh writing segments and merging). After every kill the lock is free, the
extraction workers are dead, and the live index still answers; the next full
run must hold exactly the folder.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from archive_testing import ROOT, assert_converged, children_of, cli, gone, ner_off, search_paths

from archive import store
from indexer.check import check_archive
from indexer.lock import WriteLock, is_locked
from indexer.pipeline import index_corpus
from pdfgen import make_pdf

SEED = 20261130
WORDS = (
    "industrie emploi usine salariés relance territoire énergie chimie sidérurgie automobile formation "
    "hydrogène batteries souveraineté filière investissement innovation compétences transition"
).split()
BROKEN = {"casse.pdf", "vide.txt"}  # always listed as failed


@dataclass
class Kill:
    phase: str
    delay: float
    landed: bool  # the process was still running when killed
    workers: int  # extraction workers alive at the kill


def _write_doc(corpus: Path, rng: random.Random, n: int) -> None:
    words = " ".join(rng.choice(WORDS) for _ in range(60))
    (corpus / f"note-{n:04d}.txt").write_text(f"Note {n} motunique{n:04d}. {words}", encoding="utf-8")


def build_corpus(corpus: Path, rng: random.Random, texts: int = 200, pdfs: int = 8) -> None:
    corpus.mkdir(parents=True)
    (corpus / "sous-dossier").mkdir()
    for n in range(texts):
        _write_doc(corpus, rng, n)
    for n in range(pdfs):
        pages = [f"Rapport {n} pdfunique{n:03d} " + " ".join(rng.choice(WORDS) for _ in range(150))] * 2
        make_pdf(corpus / "sous-dossier" / f"rapport-{n:02d}.pdf", pages)
    (corpus / "casse.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (corpus / "vide.txt").write_bytes(b"")


def mutate(corpus: Path, rng: random.Random, next_n: list[int]) -> None:
    """Add, delete, rename and modify a few dozen files, as researchers do between runs."""
    notes = sorted(corpus.glob("note-*.txt"))
    rng.shuffle(notes)
    for path in notes[:15]:
        path.unlink()
    for path in notes[15:30]:
        path.rename(path.with_name("renomme-" + path.name))
    for path in notes[30:40]:
        path.write_text(path.read_text(encoding="utf-8") + " modifié motmodifie", encoding="utf-8")
    for _ in range(40):
        _write_doc(corpus, rng, next_n[0])
        next_n[0] += 1


def start_index(corpus: Path, index: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "archive_cli", "index", "--corpus", str(corpus), "--index", str(index)]
        + ["--jobs", "2", "--json", *extra],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_NER": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_at(proc: subprocess.Popen[bytes], phase: str, rng: random.Random) -> Kill:
    """SIGKILL `proc` in `phase`; check its workers die with it."""
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    delay = 0.0
    if phase == "startup":
        delay = rng.uniform(0.05, 0.8)
        time.sleep(delay)
    else:
        while not workers and proc.poll() is None and time.monotonic() < deadline:
            workers = children_of(proc.pid)
            time.sleep(0.002)
        if phase == "extraction":
            delay = rng.uniform(0.1, 1.0)
            time.sleep(delay)
        elif phase == "commit":  # the pool closes once every file is extracted; the last commit follows
            while children_of(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            delay = rng.uniform(0.0, 0.02)
            time.sleep(delay)
    alive = children_of(proc.pid) if proc.poll() is None else set()
    landed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    landed = landed and proc.returncode == -signal.SIGKILL
    # Orphaned extraction workers die with their parent (PR_SET_PDEATHSIG).
    end = time.monotonic() + 5
    while not all(gone(pid) for pid in alive | workers) and time.monotonic() < end:
        time.sleep(0.02)
    assert all(gone(pid) for pid in alive | workers), "extraction workers survived their parent"
    return Kill(phase, round(delay, 3), landed, len(alive))


def after_kill(index: Path, had_index: bool) -> None:
    """No stale lock, and searching still works on the live index."""
    assert not is_locked(index)
    with WriteLock(index, timeout=0.5):  # the kernel released the dead writer's flock
        pass
    if had_index:
        assert search_paths(index, "motunique0001") or search_paths(index, "pdfunique001")


@pytest.mark.slow
def test_sigkill_at_random_points_then_the_next_run_converges(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    build_corpus(corpus, rng)
    next_n = [10_000]
    kills: list[Kill] = []

    def trial(phase: str, *extra: str, had_index: bool = True) -> Kill:
        kill = kill_at(start_index(corpus, index, *extra), phase, rng)
        kills.append(kill)
        after_kill(index, had_index)
        return kill

    # First build, killed twice before it could finish.
    trial("extraction", had_index=False)
    trial("commit", had_index=store.live_dir(index) is not None)
    done = cli("index", "--corpus", str(corpus), "--index", str(index), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert_converged(corpus, index, failing=BROKEN)

    # Incremental runs (adds, deletions, renames, changes), killed in each phase.
    for phase in ("extraction", "commit", "startup"):
        for _attempt in range(3):  # a commit is short: if the run ended first, change more and retry
            mutate(corpus, rng, next_n)
            if trial(phase).landed or phase == "startup":
                break
    # A rebuild beside the live index, killed: the live index keeps answering.
    trial("extraction", "--rebuild")

    with ner_off():
        final = index_corpus(corpus, index, jobs=2)
    assert {f["path"] for f in final.failed} == BROKEN
    assert_converged(corpus, index, failing=BROKEN)
    # Generations of killed rebuilds are gone: the live one and at most its predecessor remain.
    assert len([d for d in index.iterdir() if d.name.startswith("g-")]) <= 2
    print("kill points:", *kills, sep="\n  ")
    landed = [k for k in kills if k.landed]
    assert any(k.phase == "extraction" and k.workers for k in landed), kills
    assert any(k.phase == "commit" for k in landed), kills


# --------------------------------------------------------------------------
# Lock released by the kernel
# --------------------------------------------------------------------------


def test_a_killed_lock_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    index = tmp_path / "index"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            f"sys.path[:0] = [{str(ROOT)!r}]\n"
            "from pathlib import Path\n"
            "from indexer.lock import WriteLock\n"
            f"lock = WriteLock(Path({str(index)!r}), purpose='test'); lock.acquire()\n"
            "print('held', flush=True); time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert is_locked(index)
    holder.kill()
    holder.wait()
    assert not is_locked(index)
    # One try, no waiting: the lock is free the moment its holder is gone.
    with WriteLock(index, timeout=0):
        pass


# --------------------------------------------------------------------------
# A damaged live index is detected, explained, and rebuilt
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("damage")
    corpus, index = base / "corpus", base / "index"
    build_corpus(corpus, random.Random(SEED), texts=12, pdfs=1)
    with ner_off():
        index_corpus(corpus, index)
    return corpus, index


def _damage(generation: Path, how: str) -> None:
    segment = max(generation.glob("*.seg"), key=lambda p: p.stat().st_size)
    toc = max(generation.glob("_MAIN_*.toc"))
    if how == "segment deleted":
        segment.unlink()
    elif how == "segment truncated":
        os.truncate(segment, segment.stat().st_size // 2)
    elif how == "toc truncated":
        os.truncate(toc, toc.stat().st_size // 3)
    elif how == "toc deleted":
        toc.unlink()
    elif how == "manifest torn":
        (generation / store.STATE_FILE).write_text('{"files": {', encoding="utf-8")


@pytest.mark.parametrize(
    "how", ["segment deleted", "segment truncated", "toc truncated", "toc deleted", "manifest torn"]
)
def test_damaged_index_is_reported_then_rebuilt(small_archive: tuple[Path, Path], tmp_path: Path, how: str) -> None:
    corpus, index = small_archive[0], tmp_path / "index"
    shutil.copytree(small_archive[1], index)
    _damage(store.live_dir(index), how)
    if how == "segment truncated":  # once through the command line: exit code and message
        done = cli("check", "--corpus", str(corpus), "--index", str(index))
        assert done.returncode == 1 and "index endommagé" in done.stdout
        assert "archive index --rebuild" in done.stdout, done.stdout
    problems = check_archive(corpus, index)["problems"]
    assert problems and all("archive index" in p for p in problems)  # each says how to repair
    if how != "manifest torn":
        assert any("endommagé" in p for p in problems), problems
    with ner_off():
        report = index_corpus(corpus, index)  # what `archive index`, the app and the watcher run on start
    if how.startswith("segment"):
        assert report.rebuilt and report.repaired and "endommagé" in report.repaired
    assert_converged(corpus, index, failing=BROKEN)
