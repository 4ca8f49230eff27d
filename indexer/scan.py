"""Walk the corpus: which files are documents, which are skipped, which are refused."""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.manifest import FileEntry

from indexer.formats import SUPPORTED_SUFFIXES

SIDECAR_SUFFIX = ".meta.yaml"
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


def scan_corpus(corpus: Path, indexed: Mapping[str, FileEntry] | None = None) -> tuple[list[CorpusFile], list[Refusal]]:
    """Documents to index, and files refused outright (unsupported, links, unreadable folders).

    `indexed` is the manifest of indexed files (rel → entry): of two files
    whose names differ only by their Unicode form, the one already indexed stays indexed.

    Raises OSError when the corpus folder itself cannot be listed: an unmounted
    or vanished folder must never be mistaken for an empty one.
    """
    corpus = Path(corpus)
    os.listdir(corpus)  # fail loudly rather than index "nothing"
    root = corpus.resolve()
    files: list[CorpusFile] = []
    refused: list[Refusal] = []
    # One directory listing and one stat per file (os.scandir), not pathlib and three stats:
    # a sync of 100 000 unchanged files spent most of its 5 s there.
    pending = [(os.fspath(corpus), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if prefix:
                rel = unicodedata.normalize("NFC", prefix.rstrip("/"))
                refused.append(Refusal(rel, f"dossier illisible ({exc.strerror}) : son contenu n'est pas indexé"))
            continue
        names = {e.name for e in entries}
        subfolders = []
        for entry in entries:
            name = entry.name
            if _is_folder(entry):
                if name.startswith("."):
                    continue
                if entry.is_symlink():
                    rel = unicodedata.normalize("NFC", prefix + name)
                    refused.append(Refusal(rel, "lien symbolique vers un dossier : non suivi"))
                else:
                    subfolders.append((entry.path, prefix + name + "/"))
        for entry in entries:
            name = entry.name
            if _is_folder(entry) or is_transient(name) or is_sidecar(name):
                continue
            found = _scanned_file(entry, prefix, root, names)
            (files if isinstance(found, CorpusFile) else refused).append(found)
        pending.extend(reversed(subfolders))  # visited in name order, depth first
    return _without_name_clashes(files, refused, indexed or {})


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows links: a link to a folder is a folder here
    except OSError:
        return False


def _scanned_file(entry: os.DirEntry, prefix: str, root: Path, names: set[str]) -> CorpusFile | Refusal:
    name = entry.name
    rel = unicodedata.normalize("NFC", prefix + name)
    path = Path(entry.path)
    link_problem = _link_problem(path, root) if entry.is_symlink() else None
    if link_problem:
        return Refusal(rel, link_problem)
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".":  # as Path.suffix: "note." has none
        suffix = ""
    if suffix not in SUPPORTED_SUFFIXES:
        return Refusal(rel, f"format non pris en charge ({suffix or 'sans extension'})")
    try:
        st = entry.stat()
    except OSError as exc:
        return Refusal(rel, f"fichier inaccessible ({exc.strerror})")
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
        return Refusal(rel, "pas un fichier ordinaire (tube, périphérique…) : refusé")
    sidecar = name + SIDECAR_SUFFIX
    sidecar_mtime = _sidecar_mtime(path) if sidecar in names else 0
    return CorpusFile(rel, path, st.st_size, st.st_mtime_ns, sidecar_mtime)


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link is refused, or None when it points to a file inside the corpus."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop (RuntimeError before Python 3.13)
        return "lien symbolique cassé ou en boucle : refusé"
    if not _inside(target, root):
        return "lien symbolique vers l'extérieur du corpus : refusé"
    return None


def _without_name_clashes(
    files: list[CorpusFile], refused: list[Refusal], indexed: Mapping[str, FileEntry]
) -> tuple[list[CorpusFile], list[Refusal]]:
    """Refuse names that differ only by their Unicode form (é as one or two code points).

    Both would map to the same NFC path; indexing either would make the index
    flip between two files. When one of them is the file already indexed (same size
    and time as in the manifest), it stays indexed and the newcomer is refused under
    its own spelling of the name: a new file never takes a document out of the index.
    Otherwise both are listed under that one path until renamed.
    """
    seen: dict[str, int] = {}
    for f in files:
        seen[f.rel] = seen.get(f.rel, 0) + 1
    for r in refused:
        seen[r.rel] = seen.get(r.rel, 0) + 1
    clashes = {rel for rel, count in seen.items() if count > 1}
    if not clashes:
        return files, refused
    for rel in sorted(clashes):
        entry = indexed.get(rel)
        same = [f for f in files if f.rel == rel]
        incumbent = [f for f in same if entry and entry.size == f.size and entry.mtime_ns == f.mtime_ns]
        if len(incumbent) != 1 or any(r.rel == rel for r in refused):
            continue
        clashes.discard(rel)
        for f in same:
            if f is not incumbent[0]:
                files.remove(f)
                refused.append(Refusal(_own_spelling(f, rel), NEWCOMER_CLASH))
    if not clashes:
        return files, refused
    reason = "plusieurs fichiers portent ce nom (accents encodés différemment) : renommez l'un d'eux"
    kept = [f for f in files if f.rel not in clashes]
    listed = [r for r in refused if r.rel not in clashes] + [Refusal(rel, reason) for rel in sorted(clashes)]
    return kept, listed


NEWCOMER_CLASH = (
    "un fichier du même nom, aux accents encodés autrement, est déjà indexé dans ce dossier : "
    "ce fichier-ci n'est pas indexé, renommez-le"
)


def _own_spelling(f: CorpusFile, rel: str) -> str:
    """The newcomer's path as written on disk, distinct from the indexed file's NFC path."""
    raw = rel.rsplit("/", 1)[0] + "/" + f.path.name if "/" in rel else f.path.name
    return raw if raw != rel else unicodedata.normalize("NFD", rel)


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
