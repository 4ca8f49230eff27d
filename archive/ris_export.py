"""RIS of a result set (for Zotero and other reference managers), written by `rispy`.

Shared by the app's export, the CLI (`archive dossier export --format ris`) and anything else
that hands over `DocumentRecord`s. Line ends are CRLF, as the RIS specification asks.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import rispy

from archive.models import DocumentRecord

RIS_TYPES = {
    "article": "NEWS",
    "communiqué de presse": "PRESS",
    "rapport": "RPRT",
    "étude": "RPRT",
    "compte rendu": "RPRT",
    "texte officiel": "GOVDOC",
    "tract": "PAMP",
}
ABSTRACT_CHARS = 500  # AB: the first lines of the text, cut at a word
RIS_DEFAULT_TYPE = "GEN"


class _ArchiveRisWriter(rispy.RisWriter):
    """rispy's writer without its « 1. » numbering line, which reference managers do not expect."""

    NEWLINE = "\r\n"
    DEFAULT_REFERENCE_TYPE = RIS_DEFAULT_TYPE

    def set_header(self, count: int) -> str:
        return ""


def ris_entry(record: DocumentRecord) -> dict[str, Any]:
    """One document as a rispy entry (field names as rispy maps them to RIS tags)."""
    entry: dict[str, Any] = {
        "type_of_reference": RIS_TYPES.get(record.doc_type, RIS_DEFAULT_TYPE),
        "title": _one_line(record.title),
    }
    if record.date:
        entry["date"] = _ris_date(record.date)
    if record.year:
        entry["year"] = str(record.year)
    if record.doc_type:
        entry["type_of_work"] = _one_line(record.doc_type)
    # Subjects as keywords (Zotero's tags); actors and places in fields of their own, so that a
    # reference manager keeps « who » and « where » apart from « what » (Zotero lists C1/C2 in a
    # note of the item).
    keywords = [_one_line(v) for v in (*record.themes, *record.schemes)]
    if keywords:
        entry["keywords"] = keywords
    if record.actors:
        entry["custom1"] = "Acteurs : " + " ; ".join(_one_line(v) for v in record.actors)
    if record.places:
        entry["custom2"] = "Lieux : " + " ; ".join(_one_line(v) for v in record.places)
    abstract = _abstract(record.text or "")
    if abstract:
        entry["abstract"] = abstract
    if record.language:
        entry["language"] = _one_line(record.language)
    if record.publication:
        entry["secondary_title"] = _one_line(record.publication)  # T2: the newspaper of an article
    if record.source_url:
        entry["urls"] = [_one_line(record.source_url)]
    if record.paths:
        entry["notes"] = [_one_line(p) for p in record.paths]
    entry["id"] = record.id
    return entry


def to_ris(records: Iterable[DocumentRecord], notes: Mapping[str, str] | None = None) -> bytes:
    """One RIS record after another (`records` may be a generator); `notes` (by document id, a
    dossier's notes) go to each record's N1 so that the reference manager keeps them."""
    entries = []
    for record in records:
        entry = ris_entry(record)
        note = (notes or {}).get(record.id, "").strip()
        if note:
            entry["notes"] = [*entry.get("notes", []), _one_line(f"Note du dossier : {note}")]
        entries.append(entry)
    buffer = io.StringIO()
    rispy.dump(entries, buffer, implementation=_ArchiveRisWriter)
    return buffer.getvalue().encode("utf-8")


def _abstract(text: str) -> str:
    """The first lines of the text, on one line, cut at a word near ABSTRACT_CHARS."""
    flat = _one_line(text[: ABSTRACT_CHARS * 2])
    if len(flat) <= ABSTRACT_CHARS:
        return flat
    return flat[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _ris_date(date: str) -> str:
    """RIS DA field: YYYY/MM/DD/ with the known parts only."""
    parts = date.split("-")[:3]
    return "/".join(parts + [""] * (3 - len(parts))) + "/"
