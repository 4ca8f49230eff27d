"""« Acteurs détectés »: the entities named-entity recognition found, per document."""

from __future__ import annotations

from typing import Any

from archive.search_logic.port import IndexState


def detected_rows(state: IndexState) -> list[tuple[str, list[dict[str, Any]]]]:
    """(document id, [{"name", "kind", …}]) for every live document with detected entities;
    actors admitted to the facet as « détecté » await confirmation too, as organisations."""
    rows = []
    for docnum in state.tables.live:
        rec = state.record(docnum)
        found = list(rec.get("detected_entities") or [])
        found += [{"name": n, "kind": "organisation"} for n in rec.get("actors_detected") or []]
        if found:
            rows.append((rec["id"], found))
    return rows
