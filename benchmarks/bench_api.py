"""Requests per second and latency of `GET /api/search` under 1, 4 and 16 concurrent clients.

    python benchmarks/bench_api.py --corpus /tmp/bc/c10k --index /tmp/bc/i10k [--requests 400] [--workers 1,2]
        [--mix repeated,distinct]

Starts the real `archive serve` on a free port (as the tests do) and drives it with an async
httpx loop on the same machine: each client has its own connection, first sends the mix once
(not measured: the worker process behind that connection opens the index), then sends its next
request as soon as the previous answer arrives. Every answer has its facet counts and ten
highlighted hits. The load generator shares the machine's cores with the server; figures are
for this machine.

Two mixes. `repeated`: 12 queries (words, phrases, prefixes, facet filters, years, a date sort,
browse-all) sent again and again, as in every earlier measure. `distinct`: every request is a
query never sent before in the run, in the same shapes, made of words drawn from the index's
own vocabulary (the 500-odd words of its spelling list found in 10 000 to 80 000 documents, as
frequent as the mix's words): what the server keeps between requests (decoded postings of the
words it has met) helps only as far as words recur, so this figure does not flatter. With
ARCHIVE_POSTINGS_CACHE_MB=0 in the environment, the server keeps nothing between requests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from api_server import server_process  # noqa: E402

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


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (uvicorn's workers)."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        pending += [int(c) for c in children]
    return total


def worker_pids(pid: int) -> set[int]:
    """The server's worker processes (its children), to tell whether one was restarted."""
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def server_memory_mb(pid: int) -> list[tuple[float, float]]:
    """(anonymous, file-backed) resident memory in MB of each of the server's processes, the
    parent first: the file-backed part is the index's memory-mapped files, shared page cache."""
    out, pending = [], [pid]
    while pending:
        current = pending.pop(0)
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        kb = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Rss")}
        out.append((kb.get("RssAnon", 0) / 1024, (kb.get("RssFile", 0) + kb.get("RssShmem", 0)) / 1024))
        pending += [int(c) for c in children]
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def vocabulary(index: Path) -> list[str]:
    """Words of the index's spelling list found in 10 000 to 80 000 documents, in a fixed order."""
    from whoosh import index as windex

    from archive import store

    ix = windex.open_dir(str(store.live_dir(index)))
    with ix.searcher() as searcher:
        reader, analyzer = searcher.reader(), ix.schema["text"].analyzer
        words = []
        for btext in reader.lexicon("spell"):
            word = btext.decode("utf-8")
            stems = [t.text for t in analyzer(word)]
            if len(word) > 3 and stems and all(10_000 <= reader.doc_frequency("text", s) <= 80_000 for s in stems):
                words.append(word)
    return words


def distinct_mix(words: list[str], facets: dict[str, list[str]], count: int, seed: int) -> list[dict[str, object]]:
    """`count` requests, no two alike, in the shapes of QUERIES."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    while len(out) < count:
        shape = len(out) % len(QUERIES)
        a, b, c = rng.sample(words, 3)
        params: dict[str, object] = {
            0: {"q": a},
            1: {"q": b},
            2: {"q": f"{a} {b}"},
            3: {"q": f"{a} {b} {c}"},
            4: {"q": f"{a} {b}"},
            5: {"q": f'"{a} {b}"'},
            6: {"q": (a[:6] if len(a) > 6 else a) + "*"},
            7: {"q": a, "theme": rng.choice(facets["theme"])},
            8: {"q": a, "year_from": rng.randint(2011, 2018), "year_to": rng.randint(2019, 2026)},
            9: {"q": a, "sort": "-date"},
            10: {"q": a, "actor": rng.choice(facets["actor"]), "type": rng.choice(facets["type"])},
            11: {"q": "", "year_from": rng.randint(2011, 2026), "offset": rng.randrange(0, 500, 10)},
        }[shape]
        key = repr(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            out.append(params)
    return out


async def load(
    url: str,
    clients: int,
    requests: int,
    mix: list[dict[str, object]] | None = None,
    cpu: Callable[[], float] | None = None,
) -> dict[str, float]:
    """`requests` requests from `clients` clients; the mix cycles (QUERIES by default). With `cpu`
    (the server's CPU seconds so far), the server's CPU milliseconds per measured request too."""
    mix = mix or QUERIES
    latencies: list[float] = []
    dropped: list[int] = []  # requests whose connection failed (no answer, no latency)
    errors = 0
    next_request = 0

    async def client() -> None:
        nonlocal next_request, errors
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
            for params in QUERIES:  # warm-up of this connection's worker: the index opens, tables fill
                await http.get("/api/search", params=params)
            warmed.append(1)
            if len(warmed) == clients:
                ready.set()
            await ready.wait()
            try:  # the server closes a connection idle for 5 s (while the others warmed up): reopen it
                await http.get("/api/stats")
            except httpx.TransportError:
                await http.get("/api/stats")
            while next_request < requests:
                params = mix[next_request % len(mix)]
                next_request += 1
                started = time.perf_counter()
                try:
                    response = await http.get("/api/search", params=params)
                except httpx.TransportError:  # counted and reported; the next request reconnects
                    errors += 1
                    dropped.append(1)
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200

    ready, warmed = asyncio.Event(), []
    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:  # a client that failed before the start: its error, not a wait forever
        if task.done() and task.exception():
            raise task.exception()
    started, cpu_before = time.perf_counter(), cpu() if cpu else 0.0
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    cpu_used = (cpu() - cpu_before) if cpu else float("nan")
    return {
        "clients": clients,
        "requests": len(latencies) + len(dropped),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "max": max(latencies),
        "cpu": cpu_used * 1000 / max(1, len(latencies) + len(dropped)),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    ap.add_argument("--requests", type=int, default=400, help="requests per client count")
    ap.add_argument("--workers", default="1", help="comma-separated server process counts, each measured in turn")
    ap.add_argument(
        "--mix", default="repeated", help="comma-separated: repeated (12 queries again and again), distinct"
    )
    args = ap.parse_args(argv)
    mixes = args.mix.split(",")
    words = vocabulary(args.index) if "distinct" in mixes else []
    for workers in (int(w) for w in args.workers.split(",")):
        # A new server for each mix: what one mix leaves in the server's memory does not help the next.
        for mix_name in mixes:
            with server_process(args.index, args.corpus, workers=workers) as (proc, url):
                documents = httpx.get(f"{url}/api/stats", timeout=120).json()["documents"]
                facets = {
                    name: list(httpx.get(f"{url}/api/facets/{facet}", timeout=120).json()["values"])[:30]
                    for name, facet in (("theme", "theme"), ("actor", "actor"), ("type", "doc_type"))
                }
                print(
                    f"{documents} documents, `archive serve --workers {workers}`, mix {mix_name}: "
                    + (f"{len(QUERIES)} queries sent again and again" if mix_name == "repeated" else "no request twice")
                    + f", {args.requests} requests per run"
                )
                print("clients  requests  errors  req/s   p50 ms   p95 ms   max ms   server CPU ms/request")
                counts = [int(c) for c in args.clients.split(",")]
                # One list of distinct requests, cut in one slice per client count: none is sent twice.
                distinct = (
                    distinct_mix(words, facets, args.requests * len(counts), 16) if mix_name == "distinct" else []
                )
                for n, clients in enumerate(counts):
                    mix = distinct[n * args.requests : (n + 1) * args.requests] or None
                    workers_before = worker_pids(proc.pid)
                    r = asyncio.run(load(url, clients, args.requests, mix, lambda: server_cpu(proc.pid)))
                    if workers > 1 and worker_pids(proc.pid) != workers_before:
                        print("        (a worker process was replaced during this run: uvicorn found it unresponsive)")
                    print(
                        f"{r['clients']:>7}  {r['requests']:>8}  {r['errors']:>6}  {r['rps']:>5.1f}  "
                        f"{r['p50']:>7.1f}  {r['p95']:>7.1f}  {r['max']:>7.1f}  {r['cpu']:>7.1f}",
                        flush=True,
                    )
                memory = ", ".join(f"{anon:.0f} + {mapped:.0f}" for anon, mapped in server_memory_mb(proc.pid))
                print(f"server processes' resident memory after the runs (own + mapped files): {memory} MB", flush=True)


if __name__ == "__main__":
    main()
