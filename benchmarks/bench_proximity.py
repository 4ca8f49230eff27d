"""Multi-word ranking: phrase matcher over all matches (old) vs re-ranking the top 100 (new).

Same process, same index, alternating runs; prints the best of N per query.
    python benchmarks/bench_proximity.py /path/to/index [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from whoosh import query as wq

from archive.engine import open_engine
from archive.models import SearchRequest
from archive.search_logic.proximity import PROXIMITY_SLOP
from archive.whoosh.query import lead_terms

QUERIES = (
    "transition énergétique industrie",
    "emploi industriel territoires",
    "plan social usine",
    "réindustrialisation souveraineté énergie",
)


def old_page(engine, query: str) -> float:
    """The previous ranking: AndMaybe(query, Phrase(slop)) over every match, top 10."""
    snap = engine._acquire()
    parsed = snap.builder.build(query)
    terms = lead_terms(parsed.required)
    near = wq.Phrase("text", terms, slop=PROXIMITY_SLOP, boost=1.5)
    started = time.perf_counter()
    snap.searcher.search(wq.AndMaybe(parsed.required, near), limit=10)
    return (time.perf_counter() - started) * 1000


def new_page(engine, query: str) -> float:
    started = time.perf_counter()
    engine.search(SearchRequest(query=query, with_facets=False, with_snippets=False))
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = open_engine(args.index)
    engine.search(SearchRequest(query="industrie"))  # facet tables, caches
    print(f"{'query':42s} {'old ms':>8s} {'new ms':>8s}")
    for query in QUERIES:
        old = min(old_page(engine, query) for _ in range(args.rounds))
        new = min(new_page(engine, query) for _ in range(args.rounds))
        print(f"{query:42s} {old:8.1f} {new:8.1f}")


if __name__ == "__main__":
    main()
