"""Themes: out-of-sample micro-F1 on the dev half as the training set grows.

Would more annotated documents bring the theme model to the target? Five-fold cross-validation
on the dev documents, as `python -m indexer.train_themes --cv`, with each fold's dev training
documents cut to a share of themselves (the seed documents always in), three random assignments
per share. The test half is not read.

    python benchmarks/bench_themes_learning.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import train_themes  # noqa: E402

FOLDS = 5


def learning_curve(shares: list[float], repeats: int) -> list[tuple[float, int, float, float]]:
    docs = train_themes.load_documents()
    dev = [d for d in docs if d.set == "dev"]
    seed = [d for d in docs if d.set != "dev"]
    rows = []
    for share in shares:
        scores, sizes = [], []
        for repeat in range(repeats):
            rng = np.random.RandomState(100 + repeat)
            fold = {int(doc): position % FOLDS for position, doc in enumerate(rng.permutation(len(dev)))}
            found: list[set[str]] = []
            expected: list[frozenset[str]] = []
            for k in range(FOLDS):
                train_dev = [d for i, d in enumerate(dev) if fold[i] != k]
                kept = sorted(rng.permutation(len(train_dev))[: max(1, round(share * len(train_dev)))])
                sizes.append(len(seed) + len(kept))
                predict = train_themes.model_method(seed + [train_dev[i] for i in kept])
                for i, d in enumerate(dev):
                    if fold[i] == k:
                        found.append(predict(d))
                        expected.append(d.expected)
            scores.append(train_themes.micro_f1(found, expected))
        rows.append((share, round(float(np.mean(sizes))), float(np.mean(scores)), float(np.std(scores))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 0.75, 1.0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'dev share':>9} {'training documents':>19} {'dev micro-F1, out of sample':>28}")
    for share, size, mean, std in learning_curve(args.shares, args.repeats):
        print(f"{share:>9.2f} {size:>19d} {mean:>22.3f} ± {std:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
