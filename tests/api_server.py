"""Starts the real `archive serve` in a subprocess on a free port, for the API tests and benchmark."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def running_server(
    index: Path, corpus: Path, env: dict[str, str] | None = None, startup: float = 60.0, workers: int = 1
) -> Iterator[str]:
    """`archive serve --port 0`; yields its base URL (http://127.0.0.1:PORT) once it listens."""
    with server_process(index, corpus, env, startup, workers) as (_, url):
        yield url


@contextmanager
def server_process(
    index: Path, corpus: Path, env: dict[str, str] | None = None, startup: float = 60.0, workers: int = 1
) -> Iterator[tuple[subprocess.Popen, str]]:
    """The same, yielding the process too."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "archive_cli",
            "serve",
            "--port",
            "0",
            "--index",
            str(Path(index).resolve()),
            "--corpus",
            str(Path(corpus).resolve()),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_NER": "0", "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    errors: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True).start()
    try:
        try:
            first = lines.get(timeout=startup)
        except queue.Empty:
            raise AssertionError(f"archive serve did not start: {''.join(errors)}") from None
        assert first.startswith("archive serve: http://"), first
        yield proc, first.split(": ", 1)[1].strip().removesuffix("/api/docs")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
