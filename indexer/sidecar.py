"""`<file>.meta.yaml` sidecars: a researcher's metadata, which overrides extraction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from indexer.scan import SIDECAR_SUFFIX

# corrected: the keys a researcher corrected in the app (shown as « modifié », not « fiche »).
SIDECAR_KEYS = (
    "title",
    "date",
    "actors",
    "themes",
    "places",
    "schemes",
    "doc_type",
    "language",
    "source_url",
    "corrected",
)
LIST_KEYS = ("actors", "themes", "places", "schemes", "corrected")


class SidecarError(ValueError):
    pass


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.name + SIDECAR_SUFFIX)


def read_sidecar(document: Path) -> dict[str, Any]:
    """The known keys of the document's sidecar ({} when absent); lists normalised."""
    path = sidecar_path(document)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SidecarError(f"fiche {path.name} illisible ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"fiche {path.name} : une liste de clés « clé: valeur » est attendue")
    out: dict[str, Any] = {}
    for key in SIDECAR_KEYS:
        if key not in data or data[key] in (None, ""):
            continue
        value = data[key]
        if key in LIST_KEYS:
            value = [value] if isinstance(value, str) else [str(v) for v in value]
        else:
            value = str(value)
        out[key] = value
    return out


def write_sidecar(document: Path, values: dict[str, Any]) -> Path:
    """Write a sidecar for a document (used by uploads); only known, non-empty keys."""
    clean = {k: v for k, v in values.items() if k in SIDECAR_KEYS and v not in (None, "", [])}
    path = sidecar_path(document)
    path.write_text(yaml.safe_dump(clean, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
