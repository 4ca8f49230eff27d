"""« Évolution des termes »: how many documents of each query fall in each year or month, and what
share of all the archive's documents of that period they are.

Pure numpy over the per-document date keys (YYYYMMDD, month 00 for a year-only date, 0 for no
date): one bincount per series and one for the whole archive.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from archive.text import FIRST_YEAR, LAST_YEAR, MONTHS_SHORT  # the archive's span: always drawn

MAX_SERIES = 4


@dataclass
class Series:
    query: str
    counts: list[int] = field(default_factory=list)
    shares: list[float | None] = field(default_factory=list)  # counts / all documents of the period
    total: int = 0  # every matching document, dated or not (= the search's total)
    undated: int = 0
    year_only: int = 0  # month view: dated to a year only
    outside: int = 0  # dated outside the periods drawn
    error: str | None = None


@dataclass
class Trend:
    granularity: str
    periods: list[str]  # "2011" or "2011-04"
    labels: list[str]  # « 2011 » or « avr. 2011 »
    totals: list[int]  # all documents of the archive per period
    series: list[Series]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def span(datekeys: np.ndarray, live: np.ndarray, year_from: int | None, year_to: int | None) -> tuple[int, int]:
    """Years drawn: the chosen range, else 2011–2026 widened to any dated document outside it."""
    years = datekeys[live & (datekeys != 0)] // 10000
    lo = year_from if year_from is not None else min(FIRST_YEAR, int(years.min()) if len(years) else FIRST_YEAR)
    hi = year_to if year_to is not None else max(LAST_YEAR, int(years.max()) if len(years) else LAST_YEAR)
    return (lo, hi) if lo <= hi else (hi, lo)


def month_label(period: str) -> str:
    year, _, month = period.partition("-")
    return f"{MONTHS_SHORT[int(month) - 1]} {year}" if month else year


def compute(
    datekeys: np.ndarray,
    live: np.ndarray,
    masks: list[np.ndarray | None],
    queries: list[str],
    granularity: str = "year",
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    errors: list[str | None] | None = None,
    counted: np.ndarray | None = None,
) -> Trend:
    """One series per boolean mask of matching documents (None: the query could not be read).
    Shares are of the `counted` documents of each period (default: every live one; with versions
    grouped, each text once)."""
    monthly = granularity == "month"
    years = datekeys // 10000
    months = datekeys // 100 % 100
    dated = datekeys != 0
    precise = dated & (months != 0) if monthly else dated
    in_range = precise & (years >= first_year) & (years <= last_year)
    code = (years - first_year) * 12 + (months - 1) if monthly else years - first_year
    size = (last_year - first_year + 1) * (12 if monthly else 1)
    if monthly:
        periods = [f"{y}-{m:02d}" for y in range(first_year, last_year + 1) for m in range(1, 13)]
    else:
        periods = [str(y) for y in range(first_year, last_year + 1)]

    def per_period(mask: np.ndarray) -> np.ndarray:
        return np.bincount(code[mask & in_range], minlength=size)[:size]

    totals = per_period(live if counted is None else counted & live)
    out = []
    for i, (query, mask) in enumerate(zip(queries, masks, strict=True)):
        error = errors[i] if errors else None
        if mask is None:
            out.append(Series(query, [0] * size, [None] * size, error=error or "requête illisible"))
            continue
        mask = mask & live
        counts = per_period(mask)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
        out.append(
            Series(
                query=query,
                counts=counts.tolist(),
                shares=[None if np.isnan(s) else round(float(s), 6) for s in shares],
                total=int(np.count_nonzero(mask)),
                undated=int(np.count_nonzero(mask & ~dated)),
                year_only=int(np.count_nonzero(mask & dated & (months == 0))) if monthly else 0,
                outside=int(np.count_nonzero(mask & precise & ~in_range)),
                error=error,
            )
        )
    labels = [month_label(p) for p in periods]
    return Trend(granularity, periods, labels, totals.tolist(), out)
