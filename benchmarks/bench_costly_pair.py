"""Two researchers' costly searches at once: how long the second waits, with one or two slow-query processes.

    python benchmarks/bench_costly_pair.py --index /tmp/bench_load/base-10000/index

Thread A sends bench_load's pathological query (it computes for the whole 3 s budget); 0.3 s later
thread B sends an ordinary costly query (« relocalis* »). B's time from request to answer is printed
for one process and for two (``COSTLY_PROCESSES``), in the same run, alternating, five rounds each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import PATHOLOGICAL  # noqa: E402

from archive.engine import open_engine  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from archive.search_processes import ProcessSearchEngine  # noqa: E402

SECOND_QUERIES = ["relocalis*", "sidérurg*", "décarbon*", "hydrog*", "semi-conduct*"]


def one_round(engine: ProcessSearchEngine, query: str) -> tuple[float, float, str]:
    """(seconds B waited, seconds A took, B's first notice)."""
    times: dict[str, float] = {}
    notices: list[str] = []

    def a() -> None:
        t = time.perf_counter()
        engine.search(SearchRequest(query=PATHOLOGICAL))
        times["a"] = time.perf_counter() - t

    thread = threading.Thread(target=a)
    thread.start()
    time.sleep(0.3)
    t = time.perf_counter()
    result = engine.search(SearchRequest(query=query))
    times["b"] = time.perf_counter() - t
    notices.extend(result.notices)
    thread.join()
    return times["b"], times["a"], (notices[0][:40] if notices else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    engines = {
        n: ProcessSearchEngine(args.index, n, open_engine(args.index, allow_outdated=True), only_costly=True)
        for n in (1, 2)
    }
    waits: dict[int, list[float]] = {1: [], 2: []}
    try:
        for n, engine in engines.items():  # both pools started and warm before timing
            for _ in range(n):
                one_round(engine, "industri*")
        for i in range(args.rounds):
            for n, engine in engines.items():
                b, a, notice = one_round(engine, SECOND_QUERIES[i % len(SECOND_QUERIES)])
                waits[n].append(b)
                print(f"processes={n} round {i + 1}: B {b:.2f} s, A {a:.2f} s {notice}", flush=True)
    finally:
        for engine in engines.values():
            engine.close()
    for n, values in waits.items():
        print(f"processes={n}: B waited median {statistics.median(values):.2f} s, max {max(values):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
