"""The watcher: search follows the corpus folder within seconds, never a half-written file.

A real watchdog observer on a real folder, a real index, and a long-lived
search engine as the app has (it must notice every change by itself). Search is
polled up to 8 s; the typical delay after a file is complete is printed (a figure,
not a check: speed is measured in benchmarks/).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from archive_testing import ROOT, assert_converged, cli, ner_off, search_paths, wait_for

from archive import store
from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest
from indexer.lock import WriteLock
from indexer.pipeline import index_corpus
from indexer.watch import Watcher, WatchState
from pdfgen import make_pdf

POLL = 8.0  # seconds search is polled for a change


def watch_threads() -> list[threading.Thread]:
    """The watcher's loop threads still alive (stop() must end them, not just forget them)."""
    return [t for t in threading.enumerate() if t.name == "archive-watch"]


@dataclass
class Watched:
    corpus: Path
    index: Path
    watcher: Watcher
    engine: SearchEngine
    logs: list[str]
    delays: list[float] = field(default_factory=list)

    def found(self, word: str) -> set[str]:
        hits = self.engine.search(SearchRequest(query=word, limit=1000, with_snippets=False)).hits
        # A commit between the search and the read can remove a hit (a rename): the caller's
        # wait_for asks again, so a vanished document only means « not yet ».
        records = [self.engine.document(h.id) for h in hits if not h.partial]
        return {path for record in records if record is not None for path in record.paths}

    def until(self, word: str, paths: set[str]) -> float:
        """Seconds until searching `word` gives exactly `paths` (fails after POLL s)."""
        started = time.monotonic()
        assert wait_for(lambda: self.found(word) == paths, POLL), (word, self.found(word), self.watcher.status)
        delay = time.monotonic() - started
        self.delays.append(delay)
        return delay

    def failed(self) -> dict[str, str]:
        # The engine counts documents; the unreadable files are the indexer's record (store.index_stats).
        return {f["path"]: f["reason"] for f in store.index_stats(self.engine, self.index).failed}


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    base = tmp_path_factory.mktemp("watch")
    corpus, index = base / "corpus", base / "index"
    corpus.mkdir()
    (corpus / "ancien.txt").write_text("Document indexé avant motancien", encoding="utf-8")
    (corpus / "supprime.txt").write_text("Document supprimé pendant l'arrêt motsupprime", encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
        # While no watcher runs: one file added, one removed.
        (corpus / "supprime.txt").unlink()
        (corpus / "pendant.txt").write_text("Ajouté pendant l'arrêt motpendant", encoding="utf-8")
        old = time.time() - 60
        os.utime(corpus / "pendant.txt", (old, old))
        logs: list[str] = []
        others = watch_threads()
        watcher = Watcher(
            corpus, index, jobs=2, settle=1.0, log=logs.append, rescan_every=None, lock_timeout=0.5, retry_wait=0.5
        )
        watcher.start()
        assert watcher.wait_idle(60), watcher.status
        engine = open_engine(index)
        yield Watched(corpus, index, watcher, engine, logs)
        engine.close()
        watcher.stop()
    assert not watcher.running and watch_threads() == others


def test_start_reconciles_changes_made_while_stopped(watched: Watched) -> None:
    assert watched.watcher.status.synced and watched.watcher.status.observer == "inotify"
    assert watched.found("motpendant") == {"pendant.txt"}
    assert watched.found("motsupprime") == set()
    assert watched.found("motancien") == {"ancien.txt"}


def test_drop_change_rename_and_delete_are_followed(watched: Watched) -> None:
    corpus = watched.corpus
    (corpus / "nouveau.txt").write_text("Un nouveau document motnouveau", encoding="utf-8")
    watched.until("motnouveau", {"nouveau.txt"})

    (corpus / "nouveau.txt").write_text("Le même fichier réécrit motreecrit", encoding="utf-8")
    watched.until("motreecrit", {"nouveau.txt"})
    assert watched.found("motnouveau") == set()

    (corpus / "classement").mkdir()
    os.rename(corpus / "nouveau.txt", corpus / "classement" / "renomme.txt")
    watched.until("motreecrit", {"classement/renomme.txt"})

    os.rename(corpus / "classement", corpus / "archives-2020")  # a whole folder moved
    watched.until("motreecrit", {"archives-2020/renomme.txt"})

    (corpus / "archives-2020" / "renomme.txt").unlink()
    watched.until("motreecrit", set())
    mean = statistics.mean(watched.delays)
    # A figure, not a check: a loaded machine must not fail the suite (benchmarks/ measure it).
    print(f"search followed in {[round(d, 2) for d in watched.delays]} s (mean {mean:.2f} s)")


def test_file_being_written_is_never_indexed_half_written(watched: Watched) -> None:
    path = watched.corpus / "lent.txt"
    seen_early: set[str] = set()
    with open(path, "w", encoding="utf-8") as out:
        out.write("Début d'un long texte motdebut ")
        for n in range(8):  # 2.4 s of writing, pauses shorter than the settle time
            out.flush()
            time.sleep(0.3)
            seen_early |= watched.found("motdebut")
            out.write(f"suite {n} " * 50)
        out.write("motfin")
    assert seen_early == set()
    watched.until("motfin", {"lent.txt"})
    assert watched.found("motdebut") == {"lent.txt"}


def test_transient_and_hidden_names_are_ignored_then_the_final_name_indexed(watched: Watched) -> None:
    corpus = watched.corpus
    download = corpus / "rapport.pdf.crdownload"
    make_pdf(download, ["Rapport téléchargé motcrdownload"])
    (corpus / "~$brouillon.docx").write_bytes(b"PK\x03\x04 owner file of Word")
    (corpus / ".~lock.tableau.odt#").write_text("lock", encoding="utf-8")
    (corpus / ".cache").mkdir()
    (corpus / ".cache" / "cache.txt").write_text("caché motcache", encoding="utf-8")
    (corpus / "partiel.txt.part").write_text("partiel motpartiel", encoding="utf-8")
    # A file dropped after them is indexed: by then the watcher has dealt with the earlier ones.
    (corpus / "sentinelle.txt").write_text("Déposé après motsentinelle", encoding="utf-8")
    watched.until("motsentinelle", {"sentinelle.txt"})
    assert watched.found("motcrdownload") == set() and watched.found("motpartiel") == set()
    assert watched.found("motcache") == set()
    os.rename(download, corpus / "rapport.pdf")  # the browser finished
    watched.until("motcrdownload", {"rapport.pdf"})
    assert watched.found("motcache") == set() and watched.found("motpartiel") == set()
    listed = set(watched.failed())
    assert not listed & {"~$brouillon.docx", ".~lock.tableau.odt#", ".cache/cache.txt", "partiel.txt.part"}


def test_failed_file_replaced_by_a_good_version_leaves_the_list(watched: Watched, tmp_path: Path) -> None:
    bad = watched.corpus / "etude.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    assert wait_for(lambda: "etude.pdf" in watched.failed(), POLL), watched.watcher.status
    assert watched.failed()["etude.pdf"].startswith("PDF illisible ou corrompu")
    assert watched.watcher.status.failed >= 1
    good = make_pdf(tmp_path / "etude.pdf", ["Étude complète motetude"])
    os.replace(good, bad)
    watched.until("motetude", {"etude.pdf"})
    assert wait_for(lambda: "etude.pdf" not in watched.failed(), POLL)


def test_a_busy_index_is_waited_for_then_indexed(watched: Watched) -> None:
    with WriteLock(watched.index, timeout=5, purpose="test"):
        (watched.corpus / "attente.txt").write_text("Écrit pendant un verrou motverrou", encoding="utf-8")
        assert wait_for(lambda: watched.watcher.status.state == WatchState.BUSY, POLL), watched.watcher.status
        assert any("index occupé" in line for line in watched.logs)
        assert watched.found("motverrou") == set()
        assert watched.watcher.running
    assert wait_for(lambda: watched.found("motverrou") == {"attente.txt"}, POLL + watched.watcher.retry_wait)


@pytest.mark.slow
def test_a_burst_of_500_files_is_batched(watched: Watched) -> None:
    assert watched.watcher.wait_idle(30)
    runs = watched.watcher.status.runs
    commits = int(watched.engine.generation().rsplit(":", 1)[1])
    documents = watched.engine.stats().documents
    folder = watched.corpus / "rafale"
    folder.mkdir()
    for n in range(500):
        (folder / f"note-{n:03d}.txt").write_text(f"Note de rafale {n} motrafale{n:03d}", encoding="utf-8")
    assert wait_for(lambda: watched.engine.stats().documents == documents + 500, 60, interval=0.2)
    assert watched.found("motrafale499") == {"rafale/note-499.txt"}
    assert watched.watcher.wait_idle(30)
    new_runs = watched.watcher.status.runs - runs
    new_commits = int(watched.engine.generation().rsplit(":", 1)[1]) - commits
    assert new_runs <= 3 and new_commits <= 6, (new_runs, new_commits)
    assert_converged(watched.corpus, watched.index, failing=set(watched.failed()))


# --------------------------------------------------------------------------
# Other watchers
# --------------------------------------------------------------------------


def test_polling_fallback_follows_the_folder(workspace) -> None:
    corpus, index = workspace
    with ner_off(), Watcher(corpus, index, settle=0.5, polling=True, poll_interval=0.5) as watcher:
        assert watcher.status.observer == "polling"
        assert watcher.wait_idle(60)
        (corpus / "sonde.txt").write_text("Vu par scrutation motscrutation", encoding="utf-8")
        assert wait_for(lambda: search_paths(index, "motscrutation") == {"sonde.txt"}, POLL)
        (corpus / "sonde.txt").unlink()
        assert wait_for(lambda: search_paths(index, "motscrutation") == set(), POLL)


def test_stop_is_prompt_and_the_index_stays_consistent(workspace) -> None:
    corpus, index = workspace
    for n in range(150):
        (corpus / f"f{n:03d}.txt").write_text(f"Texte {n} motarret{n:03d}", encoding="utf-8")
    old = time.time() - 60
    for path in corpus.iterdir():
        os.utime(path, (old, old))
    with ner_off():
        watcher = Watcher(corpus, index, jobs=1)
        others = watch_threads()  # the module's long-lived watcher may run too
        watcher.start()
        assert len(watch_threads()) == len(others) + 1
        # The reconciliation is extracting: stop now, and it must be cut short, not waited for.
        assert wait_for(_extracting(watcher), 60, interval=0.002), watcher.status
        watcher.stop()
        assert watch_threads() == others
        assert watcher.status.runs == 0  # the run never completed
        index_corpus(corpus, index)  # the next run finishes what was cut short
    assert_converged(corpus, index)


def _extracting(watcher: Watcher):
    def check() -> bool:
        progress = watcher.status.progress
        return progress is not None and progress[0] < progress[1]

    return check


def test_min_age_defers_files_still_being_written(workspace) -> None:
    """The guard behind the watcher: a file modified during the run keeps its previous version."""
    corpus, index = workspace
    path = corpus / "brouillon.txt"
    path.write_text("Version complète motversionun", encoding="utf-8")
    old = time.time() - 60
    os.utime(path, (old, old))
    with ner_off():
        index_corpus(corpus, index)
        path.write_text("Version en cours d'écr", encoding="utf-8")
        report = index_corpus(corpus, index, min_age=5.0)
        assert report.deferred == ["brouillon.txt"]
        assert search_paths(index, "motversionun") == {"brouillon.txt"}
        os.utime(path, (old, old))
        assert index_corpus(corpus, index, min_age=5.0).deferred == []
    assert search_paths(index, "motversionun") == set()
    future = time.time() + 3600 * 24 * 365  # a wrong clock must not defer a file forever
    os.utime(path, (future, future))
    with ner_off():
        assert index_corpus(corpus, index, min_age=5.0).deferred == []


def test_archive_watch_command(workspace) -> None:
    corpus, index = workspace
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive_cli", "watch", "--corpus", str(corpus), "--index", str(index)]
        + ["--jobs", "1", "--settle", "0.5"],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_NER": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: any(line.startswith("surveillance de") for line in lines), 30), lines
        assert wait_for(lambda: (index / "CURRENT").exists(), 30)
        (corpus / "commande.txt").write_text("Vu par archive watch motcommande", encoding="utf-8")
        assert wait_for(lambda: search_paths(index, "motcommande") == {"commande.txt"}, POLL + 10), lines
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
        reader.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = "".join(lines)
    assert proc.returncode == 0, out
    assert "surveillance arrêtée" in out and "Traceback" not in out


def test_watch_needs_an_existing_corpus(tmp_path: Path) -> None:
    done = cli("watch", "--corpus", str(tmp_path / "absent"), "--index", str(tmp_path / "index"))
    assert done.returncode == 1 and "dossier du corpus introuvable" in done.stderr


def test_every_watch_state_has_a_french_label() -> None:
    labels = {state: state.label for state in WatchState}
    assert labels[WatchState.IDLE] == "à jour" and labels[WatchState.BUSY].startswith("index occupé")
    assert len(set(labels.values())) == len(labels)  # the app tells every state apart


def test_warming_up_analyses_a_document_in_every_worker(tmp_path: Path) -> None:
    """The warm-up gave the workers a dict where the analysis reads an ExtractionContext: every
    warm-up document failed before the gazetteers and the language model were loaded, so the
    first dropped file paid for them. Now each worker analyses it, and a failure is said."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    logs: list[str] = []
    with ner_off():
        watcher = Watcher(corpus, index, jobs=2, log=logs.append)
        try:
            warmed = watcher._warm_up()  # what start() does once the index is in step, here in this thread
        finally:
            watcher._release_pool()
    assert warmed == 2 and not any("préchauffage" in message for message in logs), logs


@pytest.mark.parametrize("own_process", [False, True], ids=["in-process", "own-process"])
def test_a_vocabulary_edited_while_watching_applies_to_the_next_files(
    lab_vocab: Path, tmp_path: Path, own_process: bool
) -> None:
    """The warm workers had compiled the themes and places once: a term added to themes.yaml
    while the watcher ran was ignored for every file it indexed until the app restarted."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "avant.txt").write_text("Un premier communiqué sur la vallée.", encoding="utf-8")
    themes = lab_vocab / "themes.yaml"
    with ner_off(), Watcher(corpus, index, jobs=1, settle=0.5, rescan_every=None, own_process=own_process) as watcher:
        assert watcher.wait_idle(120), watcher.status
        text = themes.read_text(encoding="utf-8")
        emploi = text.index("- label: emploi")
        strong = text.index("  strong: [", emploi) + len("  strong: [")
        themes.write_text(text[:strong] + "zorglubium, " + text[strong:], encoding="utf-8")
        (corpus / "apres.txt").write_text("Le zorglubium progresse. Le zorglubium est partout.", encoding="utf-8")
        engine = open_engine(index)
        try:
            wanted = SearchRequest(query="zorglubium", filters={"theme": ["emploi"]})
            assert wait_for(lambda: engine.search(wanted).total == 1, 120), watcher.status
        finally:
            engine.close()


def test_the_apps_watcher_writes_from_a_process_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the app's process Whoosh's commits and merges held the interpreter lock while the
    sessions drew their pages. With own_process the runs happen in a child: here indexing in
    this process fails, and the dropped file is found all the same; the warm child is released."""
    import indexer.index_runner

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("indexed in the app's process")

    monkeypatch.setattr(indexer.index_runner, "index_corpus", not_here)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "avant.txt").write_text("Un communiqué sur la vallée de la chimie.", encoding="utf-8")
    with ner_off(), Watcher(corpus, index, jobs=1, settle=0.3, rescan_every=None, own_process=True) as watcher:
        assert watcher.wait_idle(120), watcher.status
        (corpus / "apres.txt").write_text("Le four de Saint-Gobain redémarre : motprocessus.", encoding="utf-8")
        engine = open_engine(index)
        try:
            found = lambda: engine.search(SearchRequest(query="motprocessus")).total == 1  # noqa: E731
            assert wait_for(found, 60), watcher.status
        finally:
            engine.close()
        assert watcher.status.last_error is None and watcher.status.runs >= 2
        assert watcher._runner.warm
    assert not watcher._runner.warm  # stop() ended the child and its workers


def test_stopping_the_watcher_mid_run_in_its_own_process_leaves_the_index_unlocked(tmp_path: Path) -> None:
    """stop() during a run in the child: the child is asked to stop at its next step, the lock is
    released, and the next run indexes what was left."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for n in range(60):
        (corpus / f"note-{n:02d}.txt").write_text(f"Note {n} sur l'usine de Fos : motarret{n}.", encoding="utf-8")
    with ner_off():
        watcher = Watcher(corpus, index, jobs=1, settle=0.2, rescan_every=None, own_process=True)
        watcher.start()
        assert wait_for(lambda: watcher.status.progress is not None, 120), watcher.status
        thread, child = watcher._thread, watcher._runner._process
        started = time.monotonic()
        watcher.stop()
        assert time.monotonic() - started < 30 and thread is not None and not thread.is_alive()
        assert child is not None and child.poll() is not None  # the child process ended too
        with WriteLock(index, timeout=5):  # nobody holds it any more
            pass
        report = index_corpus(corpus, index)
    assert report.documents == 60 and not report.failed


def test_warm_workers_read_an_edited_vocabulary_without_starting_again(lab_vocab: Path, tmp_path: Path) -> None:
    """A decision on a detected actor (« À vérifier ») or an edited vocabulary restarted the workers and
    their French model: 5–10 s per click. They now forget what they compiled when a file changed."""
    from archive import decisions
    from indexer.index_runner import LocalRunner

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "avant.txt").write_text("Un premier communiqué sur la vallée.", encoding="utf-8")
    runner = LocalRunner(1, None)
    try:
        with ner_off():
            runner.index(corpus, index)
            pids = runner._pool.worker_pids()  # noqa: SLF001
            themes = lab_vocab / "themes.yaml"
            text = themes.read_text(encoding="utf-8")
            strong = text.index("  strong: [", text.index("- label: emploi")) + len("  strong: [")
            themes.write_text(text[:strong] + "zorglubium, " + text[strong:], encoding="utf-8")
            decisions.confirm("Zorglub Industries", "entreprises")
            (corpus / "apres.txt").write_text(
                "Lyon, le 3 mai 2021. Le zorglubium progresse chez Zorglub Industries, qui embauche. "
                "Le zorglubium est partout.",
                encoding="utf-8",
            )
            runner.index(corpus, index)
            assert runner._pool.worker_pids() == pids  # noqa: SLF001 - the same warm workers
        engine = open_engine(index)
        try:
            hit = engine.search(SearchRequest(query="zorglubium")).hits[0]
            assert "emploi" in hit.themes and "Zorglub Industries" in hit.actors
        finally:
            engine.close()
    finally:
        runner.release()
