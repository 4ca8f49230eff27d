"""« Évolution des termes »: time to answer four series (counts and shares per period).

    python benchmarks/bench_trend.py --index /tmp/bc/i100k [--rounds 5]
    python benchmarks/bench_trend.py --synthetic 100000     # the numpy part alone, no index

Opens the index once (facet tables built), then times `engine.trend` for a mix of
four-query sets, by year and by month, and `engine.matching_ids` (what a saved
search's refresh costs). Prints p50/p95/max per case; the issue's target is
four series in at most 1 s at 100 000 documents.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.engine import open_engine  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from archive.text import FIRST_YEAR, LAST_YEAR  # noqa: E402

SETS = [
    ["industrie", "emploi", "énergie", "usine"],
    ["réindustrialisation", "relocalisation", "souveraineté", "hydrogène"],
    ["acteur:CGT", "thème:énergie", "industrie -automobile", '"politique industrielle"'],
    ["", "lieu:Isère", "année:2015-2020 industrie", "relocalis*"],
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def synthetic(n: int, rounds: int) -> None:
    """compute() over n documents: 10 % undated, 20 % dated to a year or a month only, four masks."""
    import numpy as np

    from archive.trends import compute

    rng = np.random.default_rng(7)
    years = rng.integers(2011, 2027, n)
    months = rng.integers(1, 13, n) * (rng.random(n) > 0.2)
    keys = np.where(rng.random(n) < 0.1, 0, years * 10000 + months * 100 + rng.integers(1, 29, n) * (months > 0))
    live = rng.random(n) > 0.01
    masks = [rng.random(n) < share for share in (0.5, 0.1, 0.01, 0.3)]
    for granularity in ("year", "month"):
        times = []
        for _ in range(rounds * 4):
            t0 = time.perf_counter()
            compute(keys, live, masks, ["a", "b", "c", "d"], granularity, FIRST_YEAR, LAST_YEAR)
            times.append((time.perf_counter() - t0) * 1000)
        print(
            f"compute, {n} documents, 4 series by {granularity}: p50 {statistics.median(times):.1f} ms, "
            f"max {max(times):.1f} ms"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path)
    ap.add_argument("--synthetic", type=int, help="time archive.trends.compute on N random date keys")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    if args.synthetic:
        synthetic(args.synthetic, args.rounds)
        return
    if args.index is None:
        ap.error("--index or --synthetic")
    started = time.perf_counter()
    engine = open_engine(args.index)
    documents = engine.stats().documents
    print(f"index {args.index}: {documents} documents, opened in {time.perf_counter() - started:.2f} s")
    for granularity in ("year", "month"):
        times = []
        for _ in range(args.rounds):
            for queries in SETS:
                t0 = time.perf_counter()
                engine.trend([SearchRequest(q) for q in queries], granularity)
                times.append((time.perf_counter() - t0) * 1000)
        print(
            f"trend, 4 series by {granularity}: p50 {statistics.median(times):.0f} ms, "
            f"p95 {percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms ({len(times)} runs)"
        )
    t0 = time.perf_counter()
    engine.matching_ids(SearchRequest("industrie"))
    first = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(args.rounds):
        for queries in SETS:
            t0 = time.perf_counter()
            engine.matching_ids(SearchRequest(queries[0]))
            times.append((time.perf_counter() - t0) * 1000)
    print(
        f"matching_ids (saved-search refresh): first call {first:.0f} ms (builds the id table), "
        f"then p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms"
    )
    engine.close()


if __name__ == "__main__":
    main()
