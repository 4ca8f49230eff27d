"""`<file>.meta.yaml` sidecars: a researcher's metadata, which overrides extraction.

A field of the wrong kind (`actors: 5`, `title: [a, b]`) or an impossible date
(`date: 2019-13-45`) is left out with a note naming the sheet and the field; the
document is still indexed from its text. Only a sheet that is not YAML at all fails.
"""

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
    "publication",
    "corrected",
)
LIST_KEYS = ("actors", "themes", "places", "schemes", "corrected")
MAX_TITLE_CHARS = 300
MAX_VALUE_CHARS = 2000  # any other single value (a URL, a name…)


class _TextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: `date: 2019-13-45` made PyYAML raise ValueError."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SidecarError(ValueError):
    pass


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.name + SIDECAR_SUFFIX)


def read_sidecar(document: Path) -> dict[str, Any]:
    """The usable keys of the document's sidecar ({} when absent); lists normalised."""
    return read_sidecar_with_notes(document)[0]


def read_sidecar_with_notes(document: Path) -> tuple[dict[str, Any], list[str]]:
    """`read_sidecar`, and a note for each field left out (wrong kind, impossible date) or shortened."""
    path = sidecar_path(document)
    if not path.exists():
        return {}, []
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_TextLoader) or {}
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        raise SidecarError(f"fiche {path.name} illisible ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"fiche {path.name} : une liste de clés « clé: valeur » est attendue")
    out: dict[str, Any] = {}
    notes: list[str] = []
    for key in SIDECAR_KEYS:
        if key not in data or data[key] in (None, ""):
            continue
        value, problem = _field(key, data[key])
        if problem:
            notes.append(f"fiche {path.name} : champ « {key} » ignoré ({problem})")
            continue
        if key == "title" and len(value) > MAX_TITLE_CHARS:
            value = value[:MAX_TITLE_CHARS].rsplit(" ", 1)[0].rstrip() + " …"
            notes.append(f"fiche {path.name} : titre raccourci à {MAX_TITLE_CHARS} caractères")
        out[key] = value
    return out, notes


def _field(key: str, value: Any) -> tuple[Any, str | None]:
    """(clean value, None) or (None, why it is left out), in French."""
    if key in LIST_KEYS:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            return None, f"une liste de noms est attendue, pas {_shown(value)}"
        cleaned = [str(v).strip()[:MAX_VALUE_CHARS] for v in items if str(v).strip()]
        return (cleaned, None) if cleaned else (None, "liste vide")
    if not _is_scalar_text(value) or isinstance(value, bool):
        return None, f"un texte est attendu, pas {_shown(value)}"
    text = " ".join(str(value).split())
    if key != "title":
        text = text[:MAX_VALUE_CHARS]
    if key == "date":
        from indexer.dates import parse_date

        if parse_date(text) is None:
            return None, f"date impossible ou illisible : {_shown(value)}"
    return text, None


def _is_scalar_text(value: Any) -> bool:
    """A string, or a number written without quotes (`date: 2019`), but not a list or a mapping."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def write_sidecar(document: Path, values: dict[str, Any]) -> Path:
    """Write a sidecar for a document (used by uploads); only known, non-empty keys."""
    clean = {k: v for k, v in values.items() if k in SIDECAR_KEYS and v not in (None, "", [])}
    path = sidecar_path(document)
    path.write_text(yaml.safe_dump(clean, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
