"""How far two careful readers agree on actors, schemes and themes: the ceiling of issue 12's targets.

    python benchmarks/bench_agreement.py

    python benchmarks/bench_agreement.py --half test

The dev half (132 documents) and the test half (87 documents) were annotated a second time by readers who saw only the texts and the
annotation guide (``tests/data/eval/second_reading/``), never the first annotation nor the
extraction. This prints, on those documents, the second reading scored against the first
(``expected.yaml``) with the same comparison as ``bench_metadata.py``, the extraction scored
against each, and the extraction's figures where both readers agree. Aggregate figures only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_metadata import EVAL, PROGRAMMES, Counts, actor_key, load_expected, record_for  # noqa: E402

SECOND_READING = EVAL / "second_reading"
SEPARATOR = "__"  # « dev2__arkema_jarrie_2011.txt »: the set, then the file


def _actors(names: list[str] | None, schemes: set[str]) -> set[str]:
    return {actor_key(a) for a in names or []} - schemes


def _fields(annotation: dict, schemes: set[str]) -> dict[str, set[str]]:
    return {
        "actors": _actors(annotation.get("actors"), schemes),
        "schemes": set(annotation.get("schemes") or []),
        "themes": set(annotation.get("themes") or []),
    }


def second_readings(half: str = "dev", folder: Path = SECOND_READING) -> dict[str, dict]:
    """The second reading of a half's documents (files ``<half>_*.yaml``), by « set__file »."""
    out: dict[str, dict] = {}
    for path in sorted(folder.glob(f"{half}_*.yaml")):
        out.update(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def compare(readings: dict[str, dict]) -> dict[str, dict[str, Counts]]:
    """Counts per pair of readings (found, reference) and per field."""
    pairs = ("second vs first", "extraction vs first", "extraction vs second", "extraction vs both agree")
    out = {pair: {f: Counts() for f in ("actors", "schemes", "themes")} for pair in pairs}
    expected_by_set: dict[str, dict] = {}
    for key, second in sorted(readings.items()):
        set_name, name = key.split(SEPARATOR, 1)
        first = expected_by_set.setdefault(set_name, load_expected(EVAL / set_name))[name]
        schemes = {actor_key(s) for s in (first.get("schemes") or []) + (second.get("schemes") or [])}
        schemes |= {actor_key(p) for p in PROGRAMMES}
        record = record_for(EVAL / set_name / "docs" / name)
        a, b = _fields(first, schemes), _fields(second, schemes)
        x = {
            "actors": _actors(list(record.actors), schemes),
            "schemes": set(record.schemes),
            "themes": set(record.themes),
        }
        for field, counts in out["second vs first"].items():
            counts.add(b[field], a[field])
        for field, counts in out["extraction vs first"].items():
            counts.add(x[field], a[field])
        for field, counts in out["extraction vs second"].items():
            counts.add(x[field], b[field])
        for field, counts in out["extraction vs both agree"].items():
            # Only the names both readers judged alike: what both keep is wanted, what both
            # leave out is unwanted, the disputed ones count neither way.
            disputed = a[field] ^ b[field]
            counts.add(x[field] - disputed, a[field] & b[field])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("dev", "test"), default="dev")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    readings = second_readings(args.half)
    if not readings:
        print(f"no second reading of the {args.half} half in {SECOND_READING}", file=sys.stderr)
        return 1
    results = compare(readings)
    figures = {
        pair: {
            "actors_precision": round(c["actors"].precision, 3),
            "actors_recall": round(c["actors"].recall, 3),
            "schemes_f1": round(c["schemes"].f1, 3),
            "themes_micro_f1": round(c["themes"].f1, 3),
        }
        for pair, c in results.items()
    }
    if args.json:
        print(json.dumps({"documents": len(readings), "figures": figures}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(readings)} {args.half} documents read twice (precision: of the first-named, against the second)")
    print(f"{'pair (found vs reference)':<28} {'actors P':>9} {'actors R':>9} {'schemes F1':>11} {'themes F1':>10}")
    for pair, f in figures.items():
        print(
            f"{pair:<28} {f['actors_precision']:>9.3f} {f['actors_recall']:>9.3f} "
            f"{f['schemes_f1']:>11.3f} {f['themes_micro_f1']:>10.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
