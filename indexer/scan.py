"""Walk the corpus: which files are documents, which are skipped, which are refused."""

from __future__ import annotations

import hashlib
import os
import stat
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
    """Documents to index, and files refused outright (unsupported, links, unreadable folders).

    Raises OSError when the corpus folder itself cannot be listed: an unmounted
    or vanished folder must never be mistaken for an empty one.
    """
    corpus = Path(corpus)
    os.listdir(corpus)  # fail loudly rather than index "nothing"
    root = corpus.resolve()
    files: list[CorpusFile] = []
    refused: list[Refusal] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename is not None and Path(exc.filename) != corpus:
            rel = relative_name(Path(exc.filename), corpus)
            refused.append(Refusal(rel, f"dossier illisible ({exc.strerror}) : son contenu n'est pas indexé"))

    for dirpath, dirnames, filenames in os.walk(corpus, onerror=unreadable, followlinks=False):
        for d in [d for d in dirnames if not d.startswith(".") and os.path.islink(os.path.join(dirpath, d))]:
            rel = relative_name(Path(dirpath) / d, corpus)
            refused.append(Refusal(rel, "lien symbolique vers un dossier : non suivi"))
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            if is_transient(name) or is_sidecar(name):
                continue
            path = Path(dirpath) / name
            rel = relative_name(path, corpus)
            link_problem = _link_problem(path, root) if path.is_symlink() else None
            if link_problem:
                refused.append(Refusal(rel, link_problem))
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
            if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
                refused.append(Refusal(rel, "pas un fichier ordinaire (tube, périphérique…) : refusé"))
                continue
            files.append(CorpusFile(rel, path, st.st_size, st.st_mtime_ns, _sidecar_mtime(path)))
    return _without_name_clashes(files, refused)


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link is refused, or None when it points to a file inside the corpus."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop (RuntimeError before Python 3.13)
        return "lien symbolique cassé ou en boucle : refusé"
    if not _inside(target, root):
        return "lien symbolique vers l'extérieur du corpus : refusé"
    return None


def _without_name_clashes(files: list[CorpusFile], refused: list[Refusal]) -> tuple[list[CorpusFile], list[Refusal]]:
    """Refuse names that differ only by their Unicode form (é as one or two code points).

    Both would map to the same NFC path; indexing either would make the index
    flip between two files. They are listed under that one path until renamed.
    """
    seen: dict[str, int] = {}
    for f in files:
        seen[f.rel] = seen.get(f.rel, 0) + 1
    for r in refused:
        seen[r.rel] = seen.get(r.rel, 0) + 1
    clashes = {rel for rel, count in seen.items() if count > 1}
    if not clashes:
        return files, refused
    reason = "plusieurs fichiers portent ce nom (accents encodés différemment) : renommez l'un d'eux"
    kept = [f for f in files if f.rel not in clashes]
    listed = [r for r in refused if r.rel not in clashes] + [Refusal(rel, reason) for rel in sorted(clashes)]
    return kept, listed


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
