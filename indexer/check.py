"""Compare the index with the corpus folder and say how to repair any drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive import store
from archive.engine import open_engine
from archive.models import IndexMissing, IndexOutdated
from archive.text import plural
from indexer.manifest import Manifest
from indexer.scan import scan_corpus

REPAIR_SYNC = "lancez `archive index` pour resynchroniser"
REPAIR_REBUILD = "lancez `archive index --rebuild` pour reconstruire l'index depuis le corpus"


def check_archive(corpus: Path, index_root: Path) -> dict[str, Any]:
    """{"ok": bool, "problems": [...]} — read-only, safe while others search or write."""
    problems: list[str] = []
    try:
        engine = open_engine(index_root)
    except IndexMissing:
        if store.live_dir(index_root) is not None:  # CURRENT names a generation without its table (TOC)
            return {"ok": False, "problems": [f"index endommagé (table des segments absente) : {REPAIR_REBUILD}"]}
        return {"ok": False, "problems": [f"aucun index dans {index_root} : {REPAIR_SYNC}"]}
    except IndexOutdated as exc:
        return {"ok": False, "problems": [f"index d'une autre version ({exc}) : {REPAIR_REBUILD}"]}
    except Exception as exc:  # a damaged index fails in many ways; all mean the same repair
        return {"ok": False, "problems": [f"index endommagé ({exc.__class__.__name__}: {exc}) : {REPAIR_REBUILD}"]}
    try:
        indexed_ids = engine.document_ids()
        stored = engine.stats().documents
    except Exception as exc:
        engine.close()
        return {"ok": False, "problems": [f"index endommagé ({exc.__class__.__name__}: {exc}) : {REPAIR_REBUILD}"]}
    engine.close()
    if stored != len(indexed_ids):
        problems.append(f"{plural(stored - len(indexed_ids), 'document')} en double dans l'index : {REPAIR_REBUILD}")
    manifest = Manifest.read(store.live_dir(index_root))
    if manifest.damaged:
        problems.append(f"manifeste de l'index illisible : {REPAIR_SYNC}")
    try:
        files, refused = scan_corpus(corpus, manifest.files)
    except OSError as exc:
        return {"ok": False, "problems": [f"dossier du corpus illisible ({exc.strerror}) : {corpus}"]}
    known, failed = manifest.files, manifest.failed
    for f in files:
        entry = known.get(f.rel)
        if entry is None and f.rel not in failed:
            problems.append(f"fichier non indexé : {f.rel} ({REPAIR_SYNC})")
        elif entry is not None and (entry.size != f.size or entry.mtime_ns != f.mtime_ns):
            problems.append(f"fichier modifié depuis l'indexation : {f.rel} ({REPAIR_SYNC})")
        elif entry is not None and entry.id not in indexed_ids:
            problems.append(f"document absent de l'index : {f.rel} ({REPAIR_SYNC})")
    for r in refused:
        if r.rel not in failed:
            problems.append(f"fichier refusé non listé : {r.rel} ({REPAIR_SYNC})")
    on_disk = {f.rel for f in files}
    for rel in sorted(set(known) - on_disk):
        problems.append(f"document indexé sans fichier : {rel} ({REPAIR_SYNC})")
    manifest_ids = {e.id for e in known.values()}
    for doc_id in sorted(indexed_ids - manifest_ids):
        problems.append(f"document {doc_id} dans l'index mais dans aucun fichier ({REPAIR_SYNC})")
    return {"ok": not problems, "problems": problems}
