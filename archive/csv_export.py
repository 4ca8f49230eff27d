"""CSV of a result set (every metadata field), shared by the app's export and the HTTP API.

Pure functions over `DocumentRecord`s. UTF-8 with a byte-order mark, so spreadsheet
programs read the accents right; lists joined with « ; »; a cell that a spreadsheet would
run as a formula is kept as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

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
BOM = "\ufeff"
# Spreadsheets run cells starting with these as formulas: a hostile title must stay text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def csv_header() -> list[str]:
    return [header for header, _ in CSV_COLUMNS]


def csv_row(record: DocumentRecord) -> list[str]:
    return [_cell(getattr(record, attr)) for _, attr in CSV_COLUMNS]


def csv_rows(records: Iterable[DocumentRecord]) -> list[list[str]]:
    """Header then one row per document."""
    return [csv_header(), *(csv_row(record) for record in records)]


def to_csv(records: Iterable[DocumentRecord], separator: str = ",") -> bytes:
    """``separator`` « ; » for a French Excel, which reads a comma-separated file as one column."""
    return b"".join(csv_chunks(records, separator=separator))


def csv_chunks(records: Iterable[DocumentRecord], rows_per_chunk: int = 50, separator: str = ",") -> Iterator[bytes]:
    """The same CSV as `to_csv`, produced a few rows at a time (records are read as it goes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(csv_header())
    pending = 0
    for record in records:
        writer.writerow(csv_row(record))
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")
