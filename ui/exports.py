"""Exports of a result set: CSV (every metadata field) and RIS (for Zotero and other managers).

Pure functions over `DocumentRecord`s; no Streamlit here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from archive.models import DocumentRecord

CSV_COLUMNS = (
    ("id", "id"),
    ("titre", "title"),
    ("date", "date"),
    ("année", "year"),
    ("type", "doc_type"),
    ("langue", "language"),
    ("acteurs", "actors"),
    ("thèmes", "themes"),
    ("lieux", "places"),
    ("dispositifs", "schemes"),
    ("chemins", "paths"),
    ("format", "format"),
    ("pages", "pages"),
    ("taille (octets)", "size"),
    ("sha256", "sha256"),
    ("source", "source_url"),
    ("indexé le", "indexed_at"),
)
LIST_SEPARATOR = " ; "
# Spreadsheets run cells starting with these as formulas: a hostile title must stay text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RIS_TYPES = {
    "communiqué de presse": "PRESS",
    "rapport": "RPRT",
    "étude": "RPRT",
    "compte rendu": "RPRT",
}
RIS_DEFAULT_TYPE = "GEN"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        text = LIST_SEPARATOR.join(str(v) for v in value)
    else:
        text = str(value)
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return text


def csv_rows(records: Iterable[DocumentRecord]) -> list[list[str]]:
    """Header then one row per document, lists joined with « ; »."""
    rows = [[header for header, _ in CSV_COLUMNS]]
    for record in records:
        rows.append([_cell(getattr(record, attr)) for _, attr in CSV_COLUMNS])
    return rows


def to_csv(records: Iterable[DocumentRecord]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so spreadsheet programs read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(records))
    return buffer.getvalue().encode("utf-8-sig")


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
    out = []
    for record in records:
        out.extend(f"{tag}  - {value}" for tag, value in ris_record(record))
        out.append("")
    return "\r\n".join(out).encode("utf-8")
