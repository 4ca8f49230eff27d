"""Accuracy of metadata extraction on the annotated documents of tests/data/annotated.

    python benchmarks/bench_metadata.py            # figures, then the errors per document
    python benchmarks/bench_metadata.py --json     # figures as JSON
    python benchmarks/bench_metadata.py --quiet    # figures only

Each document goes through the indexer's own path (`indexer.extract.extract`, then
`indexer.metadata.build_record` without sidecar) and is compared with `expected.yaml`:

- date: exact match of the ISO value, precision included (« 2020-09 » ≠ « 2020-09-01 »);
- actors: micro precision and recall over (document, canonical actor) pairs;
- themes: micro-F1 over (document, label) pairs; schemes (« dispositifs ») the same;
- places: micro-F1 over the places literally named (record.place_details), and the same
  after rolling expected places up to their department and region (record.places);
- type and language: accuracy (type also from the text alone, without the file name);
- detected entities (informative): share of the annotated `entities` that named-entity
  recognition proposed, when spaCy's French model is installed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive import gazetteer  # noqa: E402
from archive.models import DocumentRecord  # noqa: E402
from indexer.doctype import detect_doc_type  # noqa: E402
from indexer.extract import extract  # noqa: E402
from indexer.metadata import build_record  # noqa: E402

ANNOTATED = ROOT / "tests" / "data" / "annotated"
TARGETS = {
    "date_exact": 0.90,
    "actor_precision": 0.90,
    "actor_recall": 0.80,
    "theme_f1": 0.75,
    "language_accuracy": 0.98,
}


@dataclass
class Counts:
    """True positives, false positives and false negatives of a set comparison."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, found: set[str], expected: set[str]) -> None:
        self.tp += len(found & expected)
        self.fp += len(found - expected)
        self.fn += len(expected - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    documents: int = 0
    date_ok: int = 0
    type_ok: int = 0
    type_text_ok: int = 0
    language_ok: int = 0
    actors: Counts = field(default_factory=Counts)
    themes: Counts = field(default_factory=Counts)
    places: Counts = field(default_factory=Counts)
    places_rolled: Counts = field(default_factory=Counts)
    schemes: Counts = field(default_factory=Counts)
    entities: Counts = field(default_factory=Counts)
    errors: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        n = max(self.documents, 1)
        return {
            "documents": self.documents,
            "date_exact": round(self.date_ok / n, 4),
            "actor_precision": round(self.actors.precision, 4),
            "actor_recall": round(self.actors.recall, 4),
            "theme_f1": round(self.themes.f1, 4),
            "place_f1": round(self.places.f1, 4),
            "place_f1_rolled_up": round(self.places_rolled.f1, 4),
            "scheme_f1": round(self.schemes.f1, 4),
            "type_accuracy": round(self.type_ok / n, 4),
            "type_accuracy_text_only": round(self.type_text_ok / n, 4),
            "language_accuracy": round(self.language_ok / n, 4),
            "entity_recall": round(self.entities.recall, 4),
            "seconds": round(self.seconds, 2),
        }

    def failures(self) -> list[str]:
        """Targets that are not met, as readable lines (empty when all are)."""
        figures = self.figures()
        return [f"{k} = {figures[k]:.3f} < {v:.2f}" for k, v in TARGETS.items() if figures[k] < v]


def load_expected(folder: Path = ANNOTATED) -> dict[str, dict[str, Any]]:
    with (folder / "expected.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def record_for(path: Path) -> DocumentRecord:
    """The record the indexer would build for this file, without sidecar."""
    data = path.read_bytes()
    return build_record(
        doc_id="bench",
        paths=[path.name],
        extraction=extract(path),
        sidecar={},
        sha256="0" * 64,
        size=len(data),
    )


def rolled_up(places: list[str]) -> set[str]:
    """Places with the department and region of each (the place facet's values)."""
    out: set[str] = set()
    for name in places:
        out.add(name)
        info = gazetteer.place_info(name)
        if info is not None:
            out.update(x for x in (info.department, info.region) if x)
    return out


def _named_places(record: DocumentRecord) -> set[str]:
    return {d["name"] for d in record.place_details if isinstance(d, dict) and d.get("named", True)}


def _entity_names(record: DocumentRecord) -> set[str]:
    out = set()
    for item in record.detected_entities:
        name = item.get("name") if isinstance(item, dict) else str(item)
        if name:
            out.add(gazetteer.fold(name))
    return out


def evaluate(folder: Path = ANNOTATED, with_entities: bool = False) -> Evaluation:
    expected = load_expected(folder)
    ev = Evaluation()
    started = time.perf_counter()
    for name, exp in sorted(expected.items()):
        record = record_for(folder / "docs" / name)
        ev.documents += 1
        errors: list[str] = []
        want_date = str(exp["date"]) if exp.get("date") is not None else None
        if record.date == want_date:
            ev.date_ok += 1
        else:
            errors.append(f"date {record.date} ({record.provenance.get('date_rule')}) ≠ {want_date}")
        for label, counts, found, wanted in (
            ("actors", ev.actors, set(record.actors), set(exp.get("actors") or [])),
            ("themes", ev.themes, set(record.themes), set(exp.get("themes") or [])),
            ("places", ev.places, _named_places(record), set(exp.get("places") or [])),
            ("schemes", ev.schemes, set(record.schemes), set(exp.get("schemes") or [])),
        ):
            counts.add(found, wanted)
            if found != wanted:
                extra, missing = sorted(found - wanted), sorted(wanted - found)
                errors.append(f"{label}: +{extra} -{missing}")
        ev.places_rolled.add(set(record.places), rolled_up(exp.get("places") or []))
        if record.doc_type == exp["doc_type"]:
            ev.type_ok += 1
        else:
            errors.append(f"type {record.doc_type} ≠ {exp['doc_type']}")
        # The annotated files' names often say their type: measure the text alone too.
        if detect_doc_type(record.text, record.title) == exp["doc_type"]:
            ev.type_text_ok += 1
        if record.language == exp["language"]:
            ev.language_ok += 1
        else:
            errors.append(f"language {record.language} ≠ {exp['language']}")
        if with_entities:
            wanted_entities = {gazetteer.fold(e) for e in exp.get("entities") or []}
            ev.entities.add(_entity_names(record) & wanted_entities, wanted_entities)
        if errors:
            ev.errors[name] = errors
    ev.seconds = time.perf_counter() - started
    return ev


def _machine() -> str:
    try:
        import os

        cores = os.cpu_count()
    except Exception:  # pragma: no cover
        cores = None
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-document errors")
    args = parser.parse_args(argv)

    from indexer import entities

    ev = evaluate(with_entities=entities.available())
    figures = ev.figures() | {"ner": entities.available(), "machine": _machine(), "date": time.strftime("%Y-%m-%d")}
    if args.json:
        print(json.dumps(figures | {"failures": ev.failures()}, ensure_ascii=False, indent=2))
    else:
        print(f"metadata extraction on {ev.documents} annotated documents ({figures['machine']})")
        for key in (
            "date_exact",
            "actor_precision",
            "actor_recall",
            "theme_f1",
            "place_f1",
            "place_f1_rolled_up",
            "type_accuracy",
            "type_accuracy_text_only",
            "language_accuracy",
        ):
            target = f"  (target ≥ {TARGETS[key]:.2f})" if key in TARGETS else ""
            print(f"  {key:<20} {figures[key]:.3f}{target}")
        if entities.available():
            print(f"  {'entity_recall':<20} {figures['entity_recall']:.3f}  (spaCy NER, informative)")
        else:
            print("  entity_recall        n/a (spaCy's French model not installed)")
        print(f"  {'seconds':<20} {figures['seconds']:.2f}")
        if not args.quiet:
            for name, errors in ev.errors.items():
                print(f"\n{name}")
                for line in errors:
                    print(f"    {line}")
        for line in ev.failures():
            print(f"TARGET MISSED: {line}")
    return 1 if ev.failures() else 0


if __name__ == "__main__":
    raise SystemExit(main())
