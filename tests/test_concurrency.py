"""One writer at a time, searches throughout: watcher, app upload and `archive index` together.

Writers are real processes and threads on one index; a searcher runs in its
own process with a long-lived engine (as the app does) and must answer every
query, with no error, during writes and during a rebuild.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from archive_testing import ROOT, assert_converged, cli, ner_off, search_paths, wait_for

from archive import store
from indexer.lock import IndexBusy, WriteLock
from indexer.pipeline import index_corpus
from indexer.upload import index_with_retry, save_upload
from indexer.watch import Watcher, WatchState

SEARCHER = """\
import json, sys, time
from pathlib import Path
sys.path[:0] = [{root!r}]
from archive.engine import open_engine
from archive.models import SearchRequest
index, stop = Path({index!r}), Path({stop!r})
engine = open_engine(index)
answers, errors, generations = [], [], set()
while not stop.exists():
    try:
        result = engine.search(SearchRequest(query="industrie", limit=5))
        if result.error:
            errors.append(result.error)
        answers.append(engine.search(SearchRequest(query="", limit=1, with_snippets=False)).total)
        generation = engine.generation().split(":")[0]
        if generation not in generations:
            generations.add(generation)
            with open(str(stop) + ".seen", "a") as seen:  # what the test waits on
                seen.write(generation + "\\n")
        if len(answers) % 20 == 0:  # a fresh engine too, as a new app session would open
            fresh = open_engine(index)
            answers.append(fresh.search(SearchRequest(query="", limit=1, with_snippets=False)).total)
            fresh.close()
    except Exception as exc:
        errors.append(f"{{exc.__class__.__name__}}: {{exc}}")
    time.sleep(0.01)
print(json.dumps({{"answers": answers, "errors": errors, "generations": sorted(generations)}}))
"""


def start_searcher(index: Path, stop: Path) -> subprocess.Popen[str]:
    script = SEARCHER.format(root=str(ROOT), index=str(index), stop=str(stop))
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)


def stop_searcher(proc: subprocess.Popen[str], stop: Path) -> dict:
    stop.touch()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    return json.loads(out)


def seen_generations(stop: Path) -> set[str]:
    """The index generations the searcher process has answered from so far."""
    seen = Path(str(stop) + ".seen")
    return set(seen.read_text().split()) if seen.exists() else set()


def fill(corpus: Path, count: int, prefix: str = "doc") -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = f"Document {n} sur l'industrie et l'emploi mot{prefix}{n:03d}."
        (corpus / f"{prefix}-{n:03d}.txt").write_text(text, encoding="utf-8")
    old = time.time() - 60
    for path in corpus.glob(f"{prefix}-*.txt"):
        os.utime(path, (old, old))


def upload_like_the_app(corpus: Path, name: str, text: str) -> Path:
    """A hidden temporary name in corpus/uploads, then os.replace to the final name."""
    folder = corpus / "uploads"
    folder.mkdir(exist_ok=True)
    temp = folder / f".{uuid.uuid4().hex}.part"
    temp.write_text(text, encoding="utf-8")
    final = folder / name
    os.replace(temp, final)
    return final


@pytest.mark.slow
def test_watcher_upload_and_archive_index_write_at_the_same_time(tmp_path: Path) -> None:
    corpus, index, stop = tmp_path / "corpus", tmp_path / "index", tmp_path / "stop"
    fill(corpus, 40)
    errors: list[BaseException] = []
    with ner_off():
        index_corpus(corpus, index)
        searcher = start_searcher(index, stop)
        logs: list[str] = []
        watcher = Watcher(corpus, index, settle=0.5, log=logs.append, lock_timeout=1.0, retry_wait=0.5)
        watcher.start()

        def uploads() -> None:
            try:
                for n in range(6):
                    upload_like_the_app(corpus, f"envoi-{n}.txt", f"Envoi {n} par l'application motenvoi{n}")
                    time.sleep(0.3)
                # The app's own path: save_upload, then index at once (waiting its turn on the lock).
                save_upload(corpus, "formulaire.txt", "Envoyé par le formulaire motformulaire".encode())
                index_with_retry(corpus, index, attempts=10, wait=0.5, lock_timeout=5.0)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        def drops() -> None:
            try:
                for n in range(20):
                    (corpus / f"depose-{n:02d}.txt").write_text(f"Déposé {n} motdepose{n:02d}", encoding="utf-8")
                    if n % 5 == 0:
                        (corpus / f"doc-{n:03d}.txt").unlink()
                    time.sleep(0.1)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=uploads), threading.Thread(target=drops)]
        for thread in threads:
            thread.start()
        commands = [cli("index", "--corpus", str(corpus), "--index", str(index), "--jobs", "1") for _ in range(2)]
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        for done in commands:
            assert done.returncode == 0, done.stderr
            assert "Traceback" not in done.stderr
        assert wait_for(lambda: watcher.wait_idle(0.2) and search_paths(index, "motdepose19"), 30), watcher.status
        status = watcher.status
        watcher.stop()
    result = stop_searcher(searcher, stop)
    assert result["errors"] == [] and len(result["answers"]) > 10
    assert status.state != WatchState.ERROR and status.last_error is None, status
    assert not any("Traceback" in line for line in logs)
    assert search_paths(index, "motformulaire") == {"uploads/formulaire.txt"}
    assert search_paths(index, "motenvoi5") == {"uploads/envoi-5.txt"}
    assert_converged(corpus, index)


@pytest.mark.slow
def test_a_searcher_keeps_answering_during_a_rebuild(tmp_path: Path) -> None:
    corpus, index, stop = tmp_path / "corpus", tmp_path / "index", tmp_path / "stop"
    fill(corpus, 120)
    with ner_off():
        index_corpus(corpus, index)
    before = store.live_dir(index)
    searcher = start_searcher(index, stop)
    assert wait_for(lambda: before.name in seen_generations(stop), 60)  # it is answering
    done = cli("index", "--corpus", str(corpus), "--index", str(index), "--rebuild", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    after = store.live_dir(index).name
    assert wait_for(lambda: after in seen_generations(stop), 60)  # answers from the new generation
    result = stop_searcher(searcher, stop)
    assert store.live_dir(index) != before
    assert result["errors"] == []
    assert len(result["answers"]) > 20 and set(result["answers"]) == {120}
    assert result["generations"] == sorted([before.name, store.live_dir(index).name])


def test_a_second_writer_waits_its_turn_or_reports_index_busy(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    fill(corpus, 3)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with WriteLock(index, purpose="test"):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        with ner_off(), pytest.raises(IndexBusy) as busy:
            index_corpus(corpus, index, lock_timeout=0.3)
        assert "index occupé" in str(busy.value) and "test" in str(busy.value)
        # The command line waits (bounded) instead of failing: released after 1.5 s, it goes on.
        threading.Timer(1.5, release.set).start()
        started = time.monotonic()
        done = cli("index", "--corpus", str(corpus), "--index", str(index), "--jobs", "1")
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started >= 1.0
    finally:
        release.set()
        holder.join()
    assert_converged(corpus, index)


def test_index_size_and_age_ignore_files_the_writer_removes_meanwhile(tmp_path: Path, monkeypatch) -> None:
    """A merge deletes segment files while `stats` walks the folder (the API answered 500)."""
    (tmp_path / "kept.seg").write_bytes(b"x" * 10)
    (tmp_path / "merged.seg").write_bytes(b"y" * 5)
    real_stat = os.stat

    def stat_after_merge(path, *args, **kwargs):
        if str(path).endswith("merged.seg"):
            raise FileNotFoundError(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_after_merge)
    assert store.directory_bytes(tmp_path) == 10
    assert store.newest_mtime([tmp_path / "merged.seg"]) is None
    assert (
        store.newest_mtime([tmp_path / "merged.seg", tmp_path / "kept.seg"])
        == real_stat(tmp_path / "kept.seg").st_mtime
    )
