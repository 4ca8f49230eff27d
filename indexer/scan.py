"""Walk the corpus: which files are documents, which are skipped, which are refused."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SIDECAR_SUFFIX = ".meta.yaml"
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md", ".html", ".htm", ".docx", ".odt")
# Files still being written or owned by an editor: waited for, never indexed.
TRANSIENT_SUFFIXES = (".part", ".crdownload", ".download", ".tmp", ".swp", ".partial")
TRANSIENT_PREFIXES = ("~$", ".~lock", ".", "~")


@dataclass(frozen=True)
class CorpusFile:
    rel: str  # POSIX path relative to the corpus, NFC-normalised
    path: Path
    size: int
    mtime_ns: int
    sidecar_mtime_ns: int  # 0 when the file has no sidecar


@dataclass(frozen=True)
class Refusal:
    rel: str
    reason: str


def is_transient(name: str) -> bool:
    return name.startswith(TRANSIENT_PREFIXES) or name.lower().endswith(TRANSIENT_SUFFIXES)


def is_sidecar(name: str) -> bool:
    return name.lower().endswith(SIDECAR_SUFFIX)


def relative_name(path: Path, corpus: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(corpus).as_posix())


def scan_corpus(corpus: Path) -> tuple[list[CorpusFile], list[Refusal]]:
    """Documents to index, and files refused outright (unsupported, links leaving the corpus)."""
    corpus = Path(corpus)
    root = corpus.resolve()
    files: list[CorpusFile] = []
    refused: list[Refusal] = []
    for dirpath, dirnames, filenames in os.walk(corpus, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if is_transient(name) or is_sidecar(name):
                continue
            path = Path(dirpath) / name
            rel = relative_name(path, corpus)
            if path.is_symlink() and not _inside(path.resolve(), root):
                refused.append(Refusal(rel, "lien symbolique vers l'extérieur du corpus : refusé"))
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                shown = path.suffix.lower() or "sans extension"
                refused.append(Refusal(rel, f"format non pris en charge ({shown})"))
                continue
            try:
                st = path.stat()
            except OSError as exc:
                refused.append(Refusal(rel, f"fichier inaccessible ({exc.strerror})"))
                continue
            files.append(CorpusFile(rel, path, st.st_size, st.st_mtime_ns, _sidecar_mtime(path)))
    return files, refused


def _sidecar_mtime(path: Path) -> int:
    try:
        return path.with_name(path.name + SIDECAR_SUFFIX).stat().st_mtime_ns
    except OSError:
        return 0


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def document_id(sha256: str) -> str:
    """Stable id from the content: an identical file dropped twice is one document."""
    return sha256[:16]
