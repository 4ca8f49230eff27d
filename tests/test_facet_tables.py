"""FacetTables is product logic over plain arrays: no search backend is needed to build or query it."""

from __future__ import annotations

import numpy as np

from archive.facets import FacetTables


def _tables() -> FacetTables:
    live = np.array([True, True, True, False, True])
    values = {
        "actors": {"CGT": np.array([0, 2, 4]), "Bpifrance": np.array([1]), "Vide": np.array([], dtype=np.int64)},
        "places": {"Pont-de-Claix": np.array([2])},
    }
    return FacetTables(live, values, datekeys=np.array([20190312, 0, 20120101, 20200101, 20230000]))


def test_counts_masks_and_resolution_come_from_the_arrays_given() -> None:
    tables = _tables()
    assert tables.count("actors", [0, 1, 2]) == {"CGT": 2, "Bpifrance": 1}
    assert tables.count("actors", np.array([4])) == {"CGT": 1}
    assert tables.values("actors") == ["CGT", "Bpifrance"]  # a value with no document is left out
    assert np.flatnonzero(tables.value_mask("places", ["Pont-de-Claix"])).tolist() == [2]
    assert tables.resolve("places", "pont de claix") == ["Pont-de-Claix"]
    assert tables.live_mask.tolist() == [True, True, True, False, True]


def test_date_order_puts_undated_documents_last() -> None:
    tables = _tables()
    assert tables.date_order([0, 1, 2, 4], descending=True, stop=4) == [4, 0, 2, 1]
    assert tables.date_order([0, 1, 2, 4], descending=False, stop=2) == [2, 0]


def test_the_month_timeline_counts_year_only_documents_apart_from_undated_ones() -> None:
    from archive.search_logic.timeline import timeline

    # 0: 2019-03-12, 1: undated, 2: 2012-01-01, 4: 2023 (year only); 3 is deleted.
    monthly = timeline(_tables(), [0, 1, 2, 4], "month", None, 5, None)
    assert (monthly.undated, monthly.year_only) == (1, 1)
    assert sum(monthly.series["documents"]) == 2 and monthly.periods[0] == "2012-01"
    yearly = timeline(_tables(), [0, 1, 2, 4], "year", None, 5, None)
    assert (yearly.undated, yearly.year_only) == (1, 0) and sum(yearly.series["documents"]) == 3


def test_masks_counted_in_turn_each_get_their_own_counts() -> None:
    """The documents of the last mask counted are kept for the next facet: another mask (fewer
    documents, then more than half, counted from the others) must not reuse them."""
    tables = _tables()
    few, many = np.array([False, True, False, False, False]), np.array([True, True, True, False, True])
    for _ in range(2):
        assert tables.count("actors", few) == {"Bpifrance": 1}
        assert tables.count("actors", many) == {"CGT": 3, "Bpifrance": 1}
        assert tables.count("places", many) == {"Pont-de-Claix": 1}
        assert tables.count("places", few) == {}
