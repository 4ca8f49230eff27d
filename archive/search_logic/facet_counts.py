"""Filters as document masks, and facet counts that ignore their own facet's selection.

Choosing « CGT » in the actor list must still show the other actors with their counts, so each
facet is counted over the documents matching the query and every *other* facet's selection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from archive.facet_registry import BY_NAME
from archive.facets import FacetTables
from archive.models import FACETS, SearchRequest
from archive.text import fold_name

# resolve_value(facet, typed): the indexed values a typed filter value names ([] when none).
Resolver = Callable[[str, str], list[str]]
# Facet values sort by their name fold; the same values come back search after search.
_name_key = lru_cache(maxsize=1 << 16)(fold_name)


def values_named(resolve_value: Resolver, facet: str, typed: str) -> list[str]:
    """The indexed values a typed filter value stands for; the typed text itself when none is known
    (it then matches nothing, but stays listed as selected)."""
    return resolve_value(facet, typed) or [typed]


def selections(tables: FacetTables, request: SearchRequest, resolve_value: Resolver) -> dict[str, np.ndarray]:
    """Per filtered facet (and "year" for a year range), the mask of the documents it keeps."""
    out: dict[str, np.ndarray] = {}
    for facet, values in request.filters.items():
        if facet not in BY_NAME or not values:
            continue
        field_name = BY_NAME[facet].field
        if facet in request.all_of:  # every typed value (each with its spellings) must be held
            masks = [tables.value_mask(field_name, values_named(resolve_value, facet, typed)) for typed in values]
            out[facet] = np.logical_and.reduce(masks)
            continue
        exact = [v for typed in values for v in values_named(resolve_value, facet, typed)]
        out[facet] = tables.value_mask(field_name, exact)
    if request.year_from is not None or request.year_to is not None:
        lo = request.year_from if request.year_from is not None else 0
        hi = request.year_to if request.year_to is not None else 9999
        years = [y for y in tables.values("year") if lo <= int(y) <= hi]
        year_docs = tables.value_mask("year", years)
        out["year"] = out["year"] & year_docs if "year" in out else year_docs
    return out


def intersect(matched: np.ndarray, selected: dict[str, np.ndarray], exclude: str | None) -> np.ndarray:
    """The documents of `matched` that every selection but `exclude`'s keeps."""
    out = matched
    for facet, docs in selected.items():
        if facet != exclude:
            out = out & docs
    return out


def facet_counts(
    tables: FacetTables,
    request: SearchRequest,
    matched: np.ndarray,
    selected: dict[str, np.ndarray],
    final: np.ndarray,
    resolve_value: Resolver,
    collapse: Callable[[np.ndarray], np.ndarray],
) -> dict[str, dict[str, int]]:
    """Counts per value of every counted facet; a filtered facet is counted without its own
    selection (its values are alternatives), except one whose values must all be held (AND: each
    count is then what ticking one more value leaves); selected values are listed even at 0. Years in order, the others by
    count then name. `collapse` counts each group of versions once when the request groups."""
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        fieldname = BY_NAME[facet].field
        alternatives = facet in selected and facet not in request.all_of
        base = collapse(intersect(matched, selected, facet)) if alternatives else final
        counts = tables.count(fieldname, base)
        for typed in request.filters.get(facet, []):
            for value in values_named(resolve_value, facet, typed):
                counts.setdefault(value, 0)
        if facet == "year":
            out[facet] = {k: counts[k] for k in sorted(counts)}
        else:
            out[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], _name_key(kv[0]))))
    return out
