"""Each extraction worker writes its temporary files (OCR page images) in a folder of its own,
which the parent removes when the worker ends, even when it was killed at its time limit."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from indexer.extract import ExtractionError
from indexer.sandbox import ExtractorPool, Limits


def leave_a_file_and_hang(path: str, extraction, context: str) -> str:
    """Run in the worker after extraction: what OCR does (page images in the temporary
    folder), then stuck past the time limit."""
    folder = tempfile.mkdtemp(prefix="ocr-")
    Path(folder, "page-1.png").write_bytes(b"\x89PNG" + b"\0" * 1000)
    Path(context).write_text(folder, encoding="utf-8")
    time.sleep(120)
    return "never"


def test_a_worker_killed_at_its_time_limit_leaves_no_temporary_files(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Un texte.", encoding="utf-8")
    note = tmp_path / "scratch.txt"
    pool = ExtractorPool(1, Limits(seconds=3.0), finish=leave_a_file_and_hang)
    with pool:
        ((path, outcome),) = list(pool.imap_unordered([doc], {doc: str(note)}))
    assert isinstance(outcome, ExtractionError) and "interrompue" in str(outcome)
    left = Path(note.read_text(encoding="utf-8"))
    assert left.name.startswith("ocr-")
    assert left.parent != Path(tempfile.gettempdir())  # in the worker's own folder, not /tmp itself
    assert not left.exists() and not left.parent.exists()
