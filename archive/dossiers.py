"""Dossiers: named sets of documents with a description and a note per document, kept in the lab
database (see archive/lab.py) and keyed by the documents' content ids, so a renamed file stays in
its dossiers and a deleted one is shown as « retiré de l'archive », never silently dropped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.engine import SearchEngine
from archive.lab import LabDB, LabError, clean_name, now
from archive.models import DocumentRecord

REMOVED = "retiré de l'archive"


@dataclass
class Item:
    doc_id: str
    position: int
    note: str
    title: str  # as when added: still shown once the document has left the archive
    added_at: str


@dataclass
class Dossier:
    id: int
    name: str
    description: str
    created_at: str
    items: list[Item]


def _dossier_id(conn, name: str) -> int | None:
    row = conn.execute("SELECT id FROM dossier WHERE name = ?", (" ".join(name.split()),)).fetchone()
    return row[0] if row else None


def create(lab: LabDB, name: str, description: str = "") -> None:
    name = clean_name(name)
    with lab.transaction() as conn:
        if _dossier_id(conn, name) is not None:
            raise LabError(f"Un dossier s'appelle déjà « {name} ».")
        conn.execute(
            "INSERT INTO dossier(name, description, created_at) VALUES (?, ?, ?)", (name, description.strip(), now())
        )


def add(lab: LabDB, name: str, doc_id: str, title: str, note: str = "", description: str = "") -> bool:
    """Add a document at the end (the dossier is created if needed); False if it was already there
    (its note is then replaced when one is given)."""
    name = clean_name(name)
    with lab.transaction() as conn:
        dossier = _dossier_id(conn, name)
        if dossier is None:
            cur = conn.execute(
                "INSERT INTO dossier(name, description, created_at) VALUES (?, ?, ?)",
                (name, description.strip(), now()),
            )
            dossier = cur.lastrowid
        there = conn.execute(
            "SELECT 1 FROM dossier_item WHERE dossier_id = ? AND doc_id = ?", (dossier, doc_id)
        ).fetchone()
        if there:
            if note:
                conn.execute(
                    "UPDATE dossier_item SET note = ? WHERE dossier_id = ? AND doc_id = ?", (note, dossier, doc_id)
                )
            return False
        last = conn.execute("SELECT COALESCE(MAX(position), 0) FROM dossier_item WHERE dossier_id = ?", (dossier,))
        conn.execute(
            "INSERT INTO dossier_item(dossier_id, doc_id, position, note, title, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (dossier, doc_id, last.fetchone()[0] + 1, note, title, now()),
        )
    return True


def set_note(lab: LabDB, name: str, doc_id: str, note: str) -> None:
    with lab.transaction() as conn:
        conn.execute(
            "UPDATE dossier_item SET note = ? WHERE doc_id = ? AND dossier_id = (SELECT id FROM dossier WHERE name = ?)",
            (note, doc_id, name),
        )


def set_description(lab: LabDB, name: str, description: str) -> None:
    with lab.transaction() as conn:
        conn.execute("UPDATE dossier SET description = ? WHERE name = ?", (description.strip(), name))


def remove(lab: LabDB, name: str, doc_id: str) -> bool:
    with lab.transaction() as conn:
        return (
            conn.execute(
                "DELETE FROM dossier_item WHERE doc_id = ? AND dossier_id = (SELECT id FROM dossier WHERE name = ?)",
                (doc_id, name),
            ).rowcount
            > 0
        )


def move(lab: LabDB, name: str, doc_id: str, to: int) -> None:
    """Put a document at position `to` (1 = first), the others keeping their order."""
    dossier = get(lab, name)
    if dossier is None:
        raise LabError(f"Aucun dossier ne s'appelle « {name} ».")
    ids = [i.doc_id for i in dossier.items if i.doc_id != doc_id]
    if len(ids) == len(dossier.items):
        raise LabError("Ce document n'est pas dans le dossier.")
    ids.insert(max(0, min(to - 1, len(ids))), doc_id)
    with lab.transaction() as conn:
        conn.executemany(
            "UPDATE dossier_item SET position = ? WHERE dossier_id = ? AND doc_id = ?",
            [(pos, dossier.id, d) for pos, d in enumerate(ids, start=1)],
        )


def delete(lab: LabDB, name: str) -> bool:
    with lab.transaction() as conn:
        return conn.execute("DELETE FROM dossier WHERE name = ?", (name,)).rowcount > 0


def get(lab: LabDB, name: str) -> Dossier | None:
    with lab.transaction() as conn:
        row = conn.execute(
            "SELECT id, name, description, created_at FROM dossier WHERE name = ?", (" ".join(name.split()),)
        ).fetchone()
        if row is None:
            return None
        items = conn.execute(
            "SELECT doc_id, position, note, title, added_at FROM dossier_item WHERE dossier_id = ? ORDER BY position",
            (row[0],),
        ).fetchall()
    return Dossier(row[0], row[1], row[2], row[3], [Item(*i) for i in items])


def names(lab: LabDB) -> list[tuple[str, int]]:
    """Every dossier with its number of documents, by name."""
    with lab.transaction() as conn:
        rows = conn.execute(
            "SELECT d.name, COUNT(i.doc_id) FROM dossier d LEFT JOIN dossier_item i ON i.dossier_id = d.id"
            " GROUP BY d.id ORDER BY d.name COLLATE NOCASE"
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


# -- exports ----------------------------------------------------------------------------------

INVENTORY = ("position", "id", "titre", "date", "acteurs", "thèmes", "chemin", "note", "état")


def resolved(dossier: Dossier, engine: SearchEngine) -> list[tuple[Item, DocumentRecord | None]]:
    return [(item, engine.document(item.doc_id)) for item in dossier.items]


def inventory_rows(rows: list[tuple[Item, DocumentRecord | None]]) -> list[list[str]]:
    out = []
    for item, record in rows:
        if record is None:
            out.append([str(item.position), item.doc_id, item.title, "", "", "", "", item.note, REMOVED])
            continue
        out.append(
            [
                str(item.position),
                record.id,
                record.title,
                record.date or "",
                " ; ".join(record.actors),
                " ; ".join(record.themes),
                record.path,
                item.note,
                "dans l'archive",
            ]
        )
    return out


def inventory_csv(rows: list[tuple[Item, DocumentRecord | None]], separator: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    writer.writerow(INVENTORY)
    for row in inventory_rows(rows):
        writer.writerow([("'" + c) if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def inventory_markdown(dossier: Dossier, rows: list[tuple[Item, DocumentRecord | None]]) -> str:
    lines = [f"# {dossier.name}", ""]
    if dossier.description:
        lines += [dossier.description, ""]
    for item, record in rows:
        if record is None:
            lines.append(f"{item.position}. **{item.title or item.doc_id}** — *{REMOVED}*")
        else:
            meta = [record.date or "sans date", ", ".join(record.actors) or "aucun acteur"]
            lines.append(f"{item.position}. **{record.title}** — {' — '.join(meta)} (`{record.path}`)")
        if item.note:
            lines.append(f"   > {item.note}")
    return "\n".join(lines) + "\n"


def to_zip(
    dossier: Dossier,
    rows: list[tuple[Item, DocumentRecord | None]],
    corpus: Path,
    ris: Callable[[list[DocumentRecord]], bytes] | None = None,
) -> bytes:
    """The original files (under documents/), the inventory as CSV and Markdown, and RIS if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inventaire.csv", inventory_csv(rows))
        archive.writestr("inventaire.md", inventory_markdown(dossier, rows))
        records = [r for _, r in rows if r is not None]
        if ris is not None:
            archive.writestr("references.ris", ris(records))
        for item, record in rows:
            if record is None:
                continue
            source = corpus / record.path
            if source.is_file():
                archive.write(source, f"documents/{item.position:03d}-{Path(record.path).name}")
    return buffer.getvalue()
