"""Ingestion speed: cold index with --jobs 1 and --jobs 2 in the same run, then a no-op re-run.

    python benchmarks/bench_ingest.py --corpus /tmp/bc/pdf2k [--noop-corpus C --noop-index I]

Each measurement runs the real command line (`python -m archive_cli index
--rebuild --jobs N`) in a fresh process; the peak resident memory is the largest
of that run's processes (parent or extraction worker). Pages are counted from
the indexed records. `--noop-*` times a second `archive index` over an
unchanged, already indexed corpus (e.g. 10 000 files).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_index(corpus: Path, index: Path, jobs: int, rebuild: bool = True) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS MB of the run's largest process, CLI JSON report)."""
    cmd = [sys.executable, "-m", "archive_cli", "index", "--corpus", str(corpus), "--index", str(index)]
    cmd += ["--jobs", str(jobs), "--json"] + (["--rebuild"] if rebuild else [])
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Peak RSS of children is a high-water mark across all reaped children: run each in its own shell.
    wrapper = [
        sys.executable,
        "-c",
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
        "print(json.dumps({'s':time.perf_counter()-t,'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        "'out':p.stdout,'err':p.stderr[-2000:],'rc':p.returncode}))",
        *cmd,
    ]
    out = json.loads(subprocess.run(wrapper, capture_output=True, text=True, env=env, check=True).stdout)
    if out["rc"] != 0:
        raise SystemExit(f"archive index failed ({out['rc']}): {out['err']}")
    return out["s"], out["rss"] / 1024, json.loads(out["out"])


def indexed_pages(index: Path) -> int:
    from archive.engine import open_engine

    engine = open_engine(index)
    try:
        snap = engine._acquire()  # benchmark only: read every stored record once
        return sum(snap.searcher.stored_fields(d)["record"].get("pages", 0) for d in snap.tables.live)
    finally:
        engine.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="corpus of text PDFs (make_corpus.py --format pdf)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--noop-corpus", type=Path)
    ap.add_argument("--noop-index", type=Path)
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    rates: dict[int, float] = {}
    if args.corpus:
        with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
            pages = None
            for jobs in args.jobs:
                index = Path(tmp) / f"index-j{jobs}"
                seconds, rss, report = run_index(args.corpus, index, jobs)
                if pages is None:
                    pages = indexed_pages(index)
                docs = report["documents"]
                rates[jobs] = pages / seconds
                print(
                    f"cold --jobs {jobs}: {docs} docs, {pages} pages in {seconds:.1f} s = "
                    f"{pages / seconds:.1f} pages/s, {docs / seconds:.1f} docs/s, peak RSS {rss:.0f} MB"
                    f", failed {len(report['failed'])}"
                )
                if jobs == args.jobs[-1]:
                    seconds2, _rss2, report2 = run_index(args.corpus, index, jobs, rebuild=False)
                    print(f"second run over the unchanged corpus: {seconds2:.2f} s (unchanged {report2['unchanged']})")
                shutil.rmtree(index, ignore_errors=True)
        if 1 in rates and 2 in rates:
            print(f"jobs 2 / jobs 1 rate ratio: {rates[2] / rates[1]:.2f}")
    if args.noop_corpus and args.noop_index:
        times = []
        for _ in range(3):
            seconds, rss, report = run_index(args.noop_corpus, args.noop_index, 2, rebuild=False)
            times.append(seconds)
        print(
            f"no-op re-run over {report['documents']} unchanged documents: best {min(times):.2f} s, "
            f"worst {max(times):.2f} s (wall, incl. interpreter start), peak RSS {rss:.0f} MB"
        )
    print(f"self max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
