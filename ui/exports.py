"""Exports of a result set: CSV (every metadata field, `archive/csv_export.py`, shared with the
HTTP API) and RIS (for Zotero and other managers).

Pure functions over `DocumentRecord`s; no Streamlit here.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from archive.csv_export import CSV_COLUMNS, LIST_SEPARATOR, csv_rows, to_csv  # noqa: F401  (the app's CSV export)
from archive.models import DocumentRecord

RIS_TYPES = {
    "communiqué de presse": "PRESS",
    "rapport": "RPRT",
    "étude": "RPRT",
    "compte rendu": "RPRT",
}
RIS_DEFAULT_TYPE = "GEN"


def _ris_value(value: str) -> str:
    return " ".join(str(value).split())


def _ris_date(date: str) -> str:
    """RIS DA field: YYYY/MM/DD/ with the known parts only."""
    parts = date.split("-")[:3]
    return "/".join(parts + [""] * (3 - len(parts))) + "/"


def ris_record(record: DocumentRecord) -> list[tuple[str, str]]:
    """The (tag, value) lines of one document, TY first and ER last."""
    lines: list[tuple[str, str]] = [("TY", RIS_TYPES.get(record.doc_type, RIS_DEFAULT_TYPE))]
    lines.append(("TI", _ris_value(record.title)))
    if record.date:
        lines.append(("DA", _ris_date(record.date)))
    if record.year:
        lines.append(("PY", str(record.year)))
    if record.doc_type:
        lines.append(("M3", _ris_value(record.doc_type)))
    for value in [*record.actors, *record.schemes, *record.themes, *record.places]:
        lines.append(("KW", _ris_value(value)))
    if record.language:
        lines.append(("LA", _ris_value(record.language)))
    if record.source_url:
        lines.append(("UR", _ris_value(record.source_url)))
    for path in record.paths:
        lines.append(("N1", _ris_value(path)))
    lines.append(("ID", record.id))
    lines.append(("ER", ""))
    return lines


def to_ris(records: Iterable[DocumentRecord]) -> bytes:
    """One RIS record after another, written as the records come (`records` may be a generator)."""
    buffer = io.BytesIO()
    first = True
    for record in records:
        lines = [f"{tag}  - {value}" for tag, value in ris_record(record)] + [""]
        buffer.write((("" if first else "\r\n") + "\r\n".join(lines)).encode("utf-8"))
        first = False
    return buffer.getvalue()
