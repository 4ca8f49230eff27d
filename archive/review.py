"""What a researcher should check on a document (« À vérifier »), as index values.

Indexed in the `review` field, so the list and its counts come from the facet tables
like any facet, without reading every stored record.
"""

from __future__ import annotations

from typing import Any

DATE_PDF = "date tirée des métadonnées du fichier"
DATE_YEAR = "date réduite à une année"
DATE_NONE = "sans date"
DETECTED = "acteurs détectés à confirmer"
REVIEW_LABELS = (DATE_PDF, DATE_YEAR, DATE_NONE, DETECTED)
# Date rules that read the file's own metadata rather than the text.
METADATA_DATE_RULES = frozenset({"pdf", "docx", "html", "metadata", "file_metadata"})


def review_flags(record: Any) -> list[str]:
    """The reasons to check this record, [] when nothing is weak (a corrected value never is)."""
    flags = []
    provenance = record.provenance or {}
    if provenance.get("date") == "extrait":
        if not record.date:
            flags.append(DATE_NONE)
        elif provenance.get("date_rule") in METADATA_DATE_RULES:
            flags.append(DATE_PDF)
        elif record.date_precision == "year" or len(record.date) == 4:
            flags.append(DATE_YEAR)
    # Detected actors admitted to the facet (« détecté ») when the record has them, else the proposals.
    detected = getattr(record, "actors_detected", None)
    if detected is None:
        detected = record.detected_entities
    if provenance.get("actors") == "extrait" and detected:
        flags.append(DETECTED)
    return flags
