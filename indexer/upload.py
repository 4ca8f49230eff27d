"""Files added through the app: a safe name inside the corpus, written atomically, then indexed.

`save_upload` never writes outside the corpus and never overwrites: the name is
reduced to a plain file name, the content goes to a hidden temporary file in
the target folder (ignored by the scanner and the watcher), and the final name
appears in one step. A clash with an existing file gets a ` (2)`, ` (3)`… suffix.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from indexer.index_runner import IndexRunner
from indexer.lock import IndexBusy
from indexer.pipeline import IndexReport, Progress, index_corpus
from indexer.scan import SIDECAR_SUFFIX, document_id, relative_name
from indexer.sidecar import sidecar_path

UPLOAD_SUBDIR = "uploads"  # the corpus folder where the app stores what researchers upload
MAX_NAME_CHARS = 150
MAX_NAME_BYTES = 200  # leaves room for the temporary prefix/suffix under the usual 255-byte limit
MAX_EXTENSION_CHARS = 10
DEFAULT_NAME = "document"
_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')
_SPACES = re.compile(r"\s+")
_STRIP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_LEADING_JUNK = " .-~_\t"


def content_id(data: bytes) -> str:
    """The document id the indexer will give to these bytes (sha256[:16])."""
    return document_id(hashlib.sha256(data).hexdigest())


def safe_name(filename: str) -> str:
    """A plain, portable file name from whatever a browser sent."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(" " if unicodedata.category(c) in ("Zs",) else c for c in name)
    name = "".join(c for c in name if unicodedata.category(c) not in _STRIP_CATEGORIES)
    name = _FORBIDDEN.sub("_", name)
    name = _SPACES.sub(" ", name).strip().rstrip(" .")
    name = _not_a_sidecar(name)
    stem, ext = _split_extension(name)
    # No leading dot, dash or tilde: hidden, option-like or editor-temporary names.
    stem = stem.lstrip(_LEADING_JUNK).rstrip(" .") or DEFAULT_NAME
    # Checked again once cut: a long name can end in « ….txt.meta.yaml » only after truncation.
    return _not_a_sidecar(_truncate(stem, ext))


def _not_a_sidecar(name: str) -> str:
    """A document must never be taken for another document's metadata sheet."""
    if name.lower().endswith(SIDECAR_SUFFIX):
        return name[: -len(".yaml")] + "_yaml"
    return name


def _split_extension(name: str) -> tuple[str, str]:
    dot = name.rfind(".")
    if dot < 0:
        return name, ""
    ext = name[dot:]
    if len(ext) > MAX_EXTENSION_CHARS or not ext[1:].isalnum():
        return name, ""
    return name[:dot], ext


def _truncate(stem: str, ext: str, reserve: int = 0) -> str:
    """Cut the stem (never the extension) to the character and byte limits."""
    max_chars = MAX_NAME_CHARS - len(ext) - reserve
    stem = stem[:max_chars]
    while stem and len((stem + ext).encode("utf-8")) > MAX_NAME_BYTES - reserve:
        stem = stem[:-1]
    stem = stem.rstrip(" .") or DEFAULT_NAME
    return stem + ext


def _safe_subdir(corpus_root: Path, subdir: str) -> Path:
    parts = [p for p in PurePosixPath(subdir.replace("\\", "/")).parts if p not in ("", "/", ".")]
    clean = []
    for part in parts:
        if part == "..":
            raise ValueError(f"sous-dossier refusé : {subdir!r}")
        clean.append(safe_name(part))
    return corpus_root.joinpath(*clean)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def save_upload(corpus: Path, filename: str, data: bytes, subdir: str = UPLOAD_SUBDIR) -> Path:
    """Write `data` under `corpus/subdir` with a sanitised, unused name; return the final path."""
    root = Path(corpus).resolve()
    folder = _safe_subdir(root, subdir)
    folder.mkdir(parents=True, exist_ok=True)
    if not _inside(folder.resolve(), root):
        raise ValueError(f"le dossier d'envoi sort du corpus : {subdir!r}")
    name = safe_name(filename)
    temp = folder / f".{uuid.uuid4().hex}.part"  # hidden and transient: the scanner skips it
    try:
        with open(temp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        final = _publish(temp, folder, name)
    finally:
        if temp.exists():
            temp.unlink()
    if not _inside(final.resolve(), root):  # defensive: cannot happen with the checks above
        final.unlink()
        raise ValueError("chemin final hors du corpus")
    return final


def is_upload(relative: str, subdir: str = UPLOAD_SUBDIR) -> bool:
    """True for a path (relative to the corpus) that the app itself stored from an upload."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    return len(parts) >= 2 and parts[0] == subdir and ".." not in parts


def remove_upload(corpus: Path, relative: str, subdir: str = UPLOAD_SUBDIR) -> None:
    """Delete an uploaded copy (and its sidecar) that could not be indexed: the researcher keeps
    the original, the archive drops a file it can never read. Refuses anything else."""
    root = Path(corpus).resolve()
    path = (root / relative).resolve()
    if not is_upload(relative, subdir) or not _inside(path, (root / subdir).resolve()) or not path.is_file():
        raise ValueError(f"pas un fichier envoyé par l'application : {relative!r}")
    sidecar = sidecar_path(path)
    path.unlink()
    if sidecar.is_file():
        sidecar.unlink()


def _publish(temp: Path, folder: Path, name: str) -> Path:
    """Give the temporary file its final name without ever replacing an existing file."""
    stem, ext = _split_extension(name)
    # Names already there, in NFC: « Réunion.txt » written by a Mac (NFD) is taken too.
    taken = {unicodedata.normalize("NFC", n) for n in os.listdir(folder)}
    for n in range(1, 10_000):
        candidate = folder / _numbered(stem, ext, n)
        if {candidate.name, candidate.name + SIDECAR_SUFFIX} & taken:
            continue
        if candidate.exists() or candidate.with_name(candidate.name + SIDECAR_SUFFIX).exists():
            continue
        try:
            os.link(temp, candidate)  # atomic and fails if the name exists: no overwrite race
        except FileExistsError:
            continue
        except OSError:
            # File systems without hard links: check-then-replace is the best available.
            if candidate.exists():
                continue
            os.replace(temp, candidate)
        return candidate
    raise OSError(f"aucun nom libre pour {name!r}")


def _numbered(stem: str, ext: str, n: int) -> str:
    if n == 1:
        return stem + ext
    suffix = f" ({n})"
    return _truncate(stem, ext, reserve=len(suffix))[: -len(ext) or None] + suffix + ext


@dataclass
class UploadOutcome:
    """What became of one uploaded file, for the app to show."""

    name: str  # the name the user sent
    status: str  # "indexé", "doublon" or "échec"
    doc_id: str | None = None
    path: str | None = None  # relative to the corpus
    reason: str | None = None


def index_with_retry(
    corpus: Path,
    index_root: Path,
    *,
    attempts: int = 4,
    wait: float = 2.0,
    lock_timeout: float = 20.0,
    on_busy: Callable[[int], None] | None = None,
    progress: Progress | None = None,
    runner: IndexRunner | None = None,
    **kwargs,
) -> IndexReport:
    """`index_corpus`, tried again a few times while another writer holds the index; through
    `runner` (its workers, in its process) when given."""
    for attempt in range(1, attempts + 1):
        try:
            if runner is not None:  # its own workers and limits
                return runner.index(corpus, index_root, progress=progress, lock_timeout=lock_timeout, **kwargs)
            return index_corpus(corpus, index_root, progress=progress, lock_timeout=lock_timeout, **kwargs)
        except IndexBusy:
            if attempt == attempts:
                raise
            if on_busy is not None:
                on_busy(attempt)
            time.sleep(wait)
    raise AssertionError("unreachable")


def outcomes_after_indexing(
    corpus: Path,
    saved: list[tuple[str, Path, str]],
    report: IndexReport,
    known_ids: set[str],
) -> list[UploadOutcome]:
    """Outcome of each saved upload (user name, final path, expected id) once indexing ran."""
    failed = {f["path"]: f["reason"] for f in report.failed}
    root = Path(corpus)
    out = []
    for name, path, doc_id in saved:
        try:
            rel = relative_name(path.resolve(), root.resolve())
        except ValueError:
            rel = path.name
        if rel in failed:
            out.append(UploadOutcome(name, "échec", None, rel, failed[rel]))
        elif doc_id in known_ids:
            out.append(UploadOutcome(name, "indexé", doc_id, rel))
        else:
            out.append(UploadOutcome(name, "échec", None, rel, "le fichier n'apparaît pas dans l'index"))
    return out
