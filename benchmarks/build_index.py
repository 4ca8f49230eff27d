"""Full (re)build of a large corpus with the archive's pipeline, printing progress and memory.

    ARCHIVE_NER=0 python benchmarks/build_index.py CORPUS INDEX [--jobs 2]

Prints elapsed time, documents done and the parent's peak RSS every 5 000
documents, then the report. Used for the 100 000-document build (run it under
`/usr/bin/time -v` to also get the workers' peak).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.pipeline import index_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("index", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--every", type=int, default=5000)
    args = ap.parse_args(argv)
    started = time.monotonic()
    last = [0]

    def progress(done: int, total: int, _label: str) -> None:
        if done - last[0] >= args.every or (total and done == total):
            last[0] = done
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            elapsed = time.monotonic() - started
            print(f"{elapsed:8.1f}s {done}/{total} {done / elapsed:6.1f} docs/s parent peak RSS {rss} MB", flush=True)

    report = index_corpus(args.corpus, args.index, jobs=args.jobs, rebuild=True, progress=progress)
    print("done", {**report.to_dict(), "failed": len(report.failed)}, f"{time.monotonic() - started:.1f}s", flush=True)


if __name__ == "__main__":
    main()
