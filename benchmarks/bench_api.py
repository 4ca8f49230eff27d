"""Requests per second and latency of `GET /api/search` under 1, 4 and 16 concurrent clients.

    python benchmarks/bench_api.py --corpus /tmp/bc/c10k --index /tmp/bc/i10k [--requests 400] [--workers 1,2]

Starts the real `archive serve` on a free port (as the tests do) and drives it with an async
httpx loop on the same machine: each client sends its next request as soon as the previous
answer arrives, cycling through a fixed query mix (words, phrases, prefixes, facet filters,
years, a date sort, browse-all), every answer with its facet counts and ten highlighted hits.
The load generator shares the machine's cores with the server; figures are for this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from api_server import running_server  # noqa: E402

QUERIES: list[dict[str, object]] = [
    {"q": "industrie"},
    {"q": "réindustrialisation"},
    {"q": "hydrogene"},
    {"q": "transition écologique"},
    {"q": "usine fermeture salariés"},
    {"q": '"plan social"'},
    {"q": "relocalis*"},
    {"q": "emploi", "theme": "emploi"},
    {"q": "énergie", "year_from": 2015, "year_to": 2019},
    {"q": "filière", "sort": "-date"},
    {"q": "investissement", "actor": "CGT", "type": "rapport"},
    {"q": ""},
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def load(url: str, clients: int, requests: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    next_request = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal next_request, errors
        while next_request < requests:
            params = QUERIES[next_request % len(QUERIES)]
            next_request += 1
            started = time.perf_counter()
            response = await http.get("/api/search", params=params)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        for params in QUERIES:  # warm-up: the index opens, caches fill
            await http.get("/api/search", params=params)
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "max": max(latencies),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    ap.add_argument("--requests", type=int, default=400, help="requests per client count")
    ap.add_argument("--workers", default="1", help="comma-separated server process counts, each measured in turn")
    args = ap.parse_args(argv)
    for workers in (int(w) for w in args.workers.split(",")):
        with running_server(args.index, args.corpus, workers=workers) as url:
            documents = httpx.get(f"{url}/api/stats", timeout=120).json()["documents"]
            print(
                f"{documents} documents, `archive serve --workers {workers}`, {len(QUERIES)} queries in the mix, "
                f"{args.requests} requests per run"
            )
            print("clients  requests  errors  req/s   p50 ms   p95 ms   max ms")
            for clients in (int(c) for c in args.clients.split(",")):
                r = asyncio.run(load(url, clients, args.requests))
                print(
                    f"{r['clients']:>7}  {r['requests']:>8}  {r['errors']:>6}  {r['rps']:>5.1f}  "
                    f"{r['p50']:>7.1f}  {r['p95']:>7.1f}  {r['max']:>7.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
