"""A researcher's corrections, written to the document's sidecar and indexed at once.

The original file is never touched: corrected values go to ``<file>.meta.yaml`` (other
keys of an existing sidecar are kept), listed under ``corrected`` so the app shows them as
« modifié ». The document is then analysed again through the ordinary indexing run,
under the one write lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import yaml

from archive import gazetteer, schemes
from indexer.dates import parse_date
from indexer.doctype import DOC_TYPES
from indexer.pipeline import IndexReport
from indexer.sidecar import LIST_KEYS, SIDECAR_KEYS, SidecarError, read_sidecar, sidecar_path
from indexer.upload import index_with_retry

CORRECTABLE = ("title", "date", "doc_type", "actors", "themes", "places", "schemes")
MAX_TITLE = 300
MAX_VALUES = 60


class CorrectionError(ValueError):
    """A correction that cannot be saved; the message is French and shown as is."""


def document_file(corpus: Path, rel: str) -> Path:
    """The document's file inside the corpus (CorrectionError if it is not there)."""
    root = Path(corpus).resolve()
    path = (root / rel).resolve()
    if root not in path.parents or not path.is_file():
        raise CorrectionError(f"Fichier introuvable dans le corpus : {rel}")
    return path


def _clean_list(key: str, values: Any) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out = list(dict.fromkeys(" ".join(str(v).split()) for v in values or []))
    out = [v for v in out if v]
    if len(out) > MAX_VALUES:
        raise CorrectionError(f"Trop de valeurs pour « {key} » ({len(out)}, au plus {MAX_VALUES}).")
    if any(len(v) > 150 for v in out):
        raise CorrectionError(f"Valeur trop longue pour « {key} ».")
    if key == "themes":
        labels = gazetteer.theme_labels()
        unknown = [v for v in out if v not in labels]
        if unknown:
            raise CorrectionError(f"Thème inconnu : « {unknown[0]} » (attendu : {', '.join(labels)}).")
    if key == "schemes":
        canonical = [schemes.scheme_for_alias(v) for v in out]
        if None in canonical:
            raise CorrectionError(f"Dispositif inconnu : « {out[canonical.index(None)]} ».")
        out = list(dict.fromkeys(c for c in canonical if c))
    if key == "actors":  # an alias becomes its canonical actor; a new name is kept as written
        out = list(dict.fromkeys(gazetteer.actor_for_alias(v) or v for v in out))
    if key == "places":
        out = list(dict.fromkeys((info.name if (info := gazetteer.place_info(v)) else v) for v in out))
    return out


def validate(changes: dict[str, Any]) -> dict[str, Any]:
    """The corrections in sidecar form, checked (CorrectionError with a French message)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in CORRECTABLE:
            raise CorrectionError(f"Champ non modifiable : « {key} ».")
        if key in LIST_KEYS:
            out[key] = _clean_list(key, value)
            continue
        text = " ".join(str(value or "").split())
        if key == "title":
            if not text:
                raise CorrectionError("Le titre ne peut pas être vide.")
            if len(text) > MAX_TITLE:
                raise CorrectionError(f"Titre trop long ({len(text)} caractères, au plus {MAX_TITLE}).")
        elif key == "date":
            found = parse_date(text) if text else None
            if found is None:
                raise CorrectionError(
                    f"Date illisible : « {text} ». Exemples : 2020, 2020-09, 2020-09-17, 17 septembre 2020."
                )
            text = found.value
        elif key == "doc_type" and text not in DOC_TYPES:
            raise CorrectionError(f"Type inconnu : « {text} » (attendu : {', '.join(DOC_TYPES)}).")
        out[key] = text
    return out


def write_correction(document: Path, changes: dict[str, Any]) -> Path:
    """Merge checked corrections into the document's sidecar (written atomically); returns it.

    ``changes`` may also map a key to None: that correction is withdrawn and extraction
    gives the value again.
    """
    withdrawn = [k for k, v in changes.items() if v is None]
    clean = validate({k: v for k, v in changes.items() if v is not None})
    try:
        current = read_sidecar(document)
    except SidecarError as exc:
        raise CorrectionError(f"{exc} : corrigez-la à la main avant de modifier ce document.") from exc
    data = {k: v for k, v in current.items() if k not in withdrawn}
    data.update(clean)
    corrected = [k for k in dict.fromkeys([*current.get("corrected", []), *clean]) if k not in withdrawn]
    data["corrected"] = [k for k in corrected if k in data]
    ordered = {k: data[k] for k in SIDECAR_KEYS if k in data and (data[k] or k in LIST_KEYS)}
    if not ordered.get("corrected"):
        ordered.pop("corrected", None)
    path = sidecar_path(document)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if not ordered:
            path.unlink(missing_ok=True)
            return path
        body = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=110)
        tmp.write_text(
            "# Fiche de métadonnées (corrections faites dans l'application comprises)\n" + body, encoding="utf-8"
        )
        os.replace(tmp, path)
    except OSError as exc:  # a read-only corpus folder: said in French, nothing half-written left
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise CorrectionError(
            f"La fiche « {path.name} » n'a pas pu être écrite ({exc.strerror or exc.__class__.__name__}) : "
            "le dossier du document n'accepte pas d'écriture. Rien n'a été modifié."
        ) from exc
    return path


def correct_document(corpus: Path, index_root: Path, rel: str, changes: dict[str, Any], **indexing: Any) -> IndexReport:
    """Write the corrections of one document to its sidecar, then bring the index up to date."""
    write_correction(document_file(corpus, rel), changes)
    return index_with_retry(Path(corpus), Path(index_root), **indexing)
