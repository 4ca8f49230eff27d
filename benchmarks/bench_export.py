"""Memory and time of exporting every hit of a large result set as CSV and RIS.

    python benchmarks/bench_export.py --docs 100000            # builds a synthetic index first
    python benchmarks/bench_export.py --index /tmp/bc/i100k    # or uses an existing one

Each measurement runs in a fresh process and prints its peak RSS above the RSS it had once
the engine was open and warm (one search done), the time, and the file size:
- "before": what the app did until now: one search with limit = total, then
  `engine.document(id)` for every hit (full text included), then the CSV of that list;
- "after": `to_csv(engine.records(request))`, records read one at a time, no text;
- "after, with text": the same with the text column asked for.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "industrie emploi usine relocalisation filière hydrogène chimie acier automobile batterie "
    "semi-conducteurs énergie territoire salariés syndicat fermeture reprise investissement "
    "innovation formation compétences région commune État aide subvention plan relance transition "
    "décarbonation électricité gaz nucléaire réseau fournisseurs sous-traitants exportations"
).split()


def build(index: Path, docs: int, words: int) -> None:
    """A synthetic index of `docs` documents of `words` words, written straight by the engine's writer."""
    from archive import store
    from archive.engine import create_index, create_writer, new_generation
    from archive.models import DocumentRecord

    rng = random.Random(13)
    generation = new_generation(index)
    create_index(generation)
    writer = create_writer(generation, bulk=True)
    started = time.monotonic()
    for i in range(docs):
        text = " ".join(rng.choice(WORDS) for _ in range(words)) + f" mot{i}"
        year = 2011 + i % 16
        writer.upsert(
            DocumentRecord(
                id=f"{i:016x}",
                title=f"Document {i} sur l'industrie",
                date=f"{year}-{1 + i % 12:02d}",
                year=year,
                actors=["CGT"] if i % 3 == 0 else ["Bpifrance"],
                themes=["emploi"],
                places=["Isère"],
                doc_type="rapport",
                language="fr",
                paths=[f"d/{i}.txt"],
                pages=1,
                sha256=f"{i:064x}",
                size=len(text),
                indexed_at="2026-01-01T00:00:00",
                text=text,
                format="txt",
            )
        )
        if (i + 1) % 10_000 == 0:
            print(f"  built {i + 1} documents in {time.monotonic() - started:.0f} s", flush=True)
    writer.commit()
    store.write_state(generation, {"files": {}, "failed": {}})
    store.switch_to(index, generation)


def measure(index: str, mode: str, query: str) -> dict:
    """Run in a child process: one export, its peak memory above the warm engine's."""
    from archive.csv_export import to_csv
    from archive.engine import open_engine
    from archive.models import SearchRequest
    from archive.ris_export import to_ris

    engine = open_engine(Path(index))
    request = SearchRequest(query=query, with_facets=False, with_snippets=False)
    total = engine.search(request).total
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "before":
        hits = engine.search(SearchRequest(query=query, limit=total, with_facets=False, with_snippets=False)).hits
        records = [engine.document(h.id) for h in hits if not h.partial]
        data = to_csv([r for r in records if r is not None])
    elif mode == "after":
        data = to_csv(engine.records(request))
    elif mode == "after-ris":
        data = to_ris(engine.records(request))
    else:
        data = to_csv(engine.records(request, with_text=True))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = data.count(b"\r\n") - 1 if mode != "after-ris" else data.count(b"ER  - ")
    return {
        "mode": mode,
        "hits": total,
        "rows": rows,
        "seconds": seconds,
        "extra_mb": (peak - base) / 1024,
        "base_mb": base / 1024,
        "bytes": len(data),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--query", default="industrie", help="a word every synthetic document holds")
    ap.add_argument("--child", nargs=2, metavar=("INDEX", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], args.child[1], args.query)))
        return
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="bench-export-")) / "index"
        print(f"building {args.docs} synthetic documents of {args.words} words in {index}", flush=True)
        build(index, args.docs, args.words)
    print(f"{'mode':<18} {'hits':>8} {'rows':>8} {'time':>8} {'peak above warm engine':>24} {'file':>10}")
    for mode in ("before", "after", "after-ris", "after-with-text"):
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(index), mode, "--query", args.query],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{r['mode']:<18} {r['hits']:>8} {r['rows']:>8} {r['seconds']:>7.1f}s {r['extra_mb']:>21.0f} MB"
            f" {r['bytes'] / 2**20:>7.1f} MB  (warm engine {r['base_mb']:.0f} MB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
