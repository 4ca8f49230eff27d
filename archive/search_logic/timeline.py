"""Timeline bucketing: documents per year or month, optionally split by a facet's top values."""

from __future__ import annotations

import numpy as np

from archive.facet_registry import BY_NAME
from archive.facets import FacetTables
from archive.models import Timeline


def timeline(
    tables: FacetTables,
    docs: list[int],
    granularity: str,
    split_by: str | None,
    top: int,
    series: list[str] | None,
) -> Timeline:
    """Counts of `docs` per period, from the first to the last dated one (empty periods included);
    by month, documents dated to the year only are counted apart (``year_only``)."""
    monthly = granularity == "month"
    docs_array = np.asarray(docs, dtype=np.int64)
    all_keys = tables.datekeys[docs_array]
    dated_mask = (all_keys != 0) & (all_keys // 100 % 100 != 0) if monthly else all_keys != 0
    dated, keys = docs_array[dated_mask], all_keys[dated_mask]
    undated = int(np.count_nonzero(all_keys == 0))
    year_only = len(docs_array) - len(dated) - undated
    # Period of each dated document as a number: months since year 0, or the year.
    code = (keys // 10000) * 12 + (keys // 100 % 100 - 1) if monthly else keys // 10000
    first = int(code.min()) if len(code) else 0
    periods = period_labels(first, int(code.max()), monthly) if len(code) else []
    slot = code - first

    def per_period(selected: np.ndarray) -> list[int]:
        return np.bincount(slot[selected], minlength=len(periods)).tolist()

    out: dict[str, list[int]] = {}
    if split_by is None:
        out["documents"] = per_period(np.ones(len(dated), dtype=bool))
    else:
        fieldname = BY_NAME[split_by].field
        chosen = series or [v for v, _ in tables.count(fieldname, dated).most_common(top)]
        for name in chosen:
            out[name] = per_period(tables.value_mask(fieldname, [name])[dated])
        others = per_period(~tables.value_mask(fieldname, chosen)[dated])
        if any(others) and not series:
            out["autres"] = others
    return Timeline(granularity, periods, out, undated, year_only)


def period_labels(first: int, last: int, monthly: bool) -> list[str]:
    """Every period from the first to the last, empty ones included."""
    if not monthly:
        return [str(y) for y in range(first, last + 1)]
    return [f"{c // 12:04d}-{c % 12 + 1:02d}" for c in range(first, last + 1)]
