"""The app's queue of indexing jobs (uploads, retries, reindexing, corrections): the runs happen in
a process of their own, so that the server's pages keep the interpreter lock meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from archive_testing import ner_off

from indexer.pipeline import index_corpus
from ui.jobs import IndexJob, IndexJobs, JobState


def _finished(job: IndexJob, timeout: float = 120) -> IndexJob:
    deadline = time.monotonic() + timeout
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.finished, job
    return job


def test_a_job_indexes_in_a_child_process_with_its_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.upload

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Note sur la fonderie de Bretagne.", encoding="utf-8")
    (corpus / "casse.pdf").write_bytes(b"pas un PDF" * 20)
    with ner_off():
        index_corpus(corpus, index)

        def not_here(*args: object, **kwargs: object) -> None:
            raise AssertionError("indexed in the server's process")

        monkeypatch.setattr(indexer.upload, "index_corpus", not_here)
        jobs = IndexJobs(corpus, index, 1, keep_warm=3.0)
        (corpus / "b.txt").write_text("Compte rendu du comité de suivi de l'usine.", encoding="utf-8")
        written: list[str] = []
        job = _finished(jobs.submit("Nouveaux fichiers", write=lambda: written.append("fait")))
        assert job.state is JobState.DONE and job.error is None, job.error
        assert job.report is not None and job.report.added == 1 and job.report.documents == 2
        assert written == ["fait"]  # the job's change is made by the server, before the run
        retried = _finished(jobs.submit("Nouvel essai", retry_failed=True, only_paths={"casse.pdf"}))
        assert retried.state is JobState.DONE and retried.report is not None
        assert [f["path"] for f in retried.report.failed] == ["casse.pdf"]
        assert jobs._runner.warm  # kept for the next job: a correction must not wait for it to start
        _until(lambda: not jobs._runner.warm, 30)  # ended once no job came for keep_warm seconds


def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert condition()


def test_prepare_starts_the_indexing_process_before_a_job_so_a_correction_is_quick(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Note sur la fonderie de Bretagne, 12 mars 2019.", encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
        jobs = IndexJobs(corpus, index, 1, keep_warm=60.0)
        assert not jobs._runner.warm
        jobs.prepare()
        jobs.prepare()  # a second call while it starts queues nothing more
        _until(lambda: jobs._runner.warm, 60)
        assert jobs._queue.empty() and not jobs.busy()  # no job was made for it
        (corpus / "a.txt.meta.yaml").write_text("title: Note corrigée\n", encoding="utf-8")
        started = time.monotonic()
        job = _finished(jobs.submit("Correction"))
        took = time.monotonic() - started
        assert job.state is JobState.DONE and job.report is not None and job.report.updated == 1
        # Informative only (no timing assertion): what the warm process saved.
        print(f"correction indexed in {took:.2f} s with a warm indexing process")
        jobs._runner.release()
