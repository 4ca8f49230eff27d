"""Accuracy of metadata extraction on the annotated sets: the seed set and the held-out halves.

    python benchmarks/bench_metadata.py                  # every set's figures; errors per document (dev sets only)
    python benchmarks/bench_metadata.py --set dev        # one set: seed, dev (dev1..dev5), test (test1..test3), dev4, test3, dev5
    python benchmarks/bench_metadata.py --json           # figures as JSON
    python benchmarks/bench_metadata.py --quiet          # figures only

Sets: « seed » is tests/data/annotated (46 documents, used to write the rules); « dev » is
tests/data/eval/dev1 … dev5 (tuned on); « test » is tests/data/eval/test1 … test3 (frozen
before tuning, only its aggregate figures are ever printed: no per-document errors). « dev4 », « test3 »
and « dev5 », the folders added last (2026-12-04), can be read alone: what the rules do on kinds of
document they were not tuned on.

Each document goes through the indexer's own path (`indexer.extract.extract`, then
`indexer.metadata.build_record` without sidecar) and is compared with `expected.yaml`:

- date: exact match of the ISO value, precision included (« 2020-09 » ≠ « 2020-09-01 »),
  and the year alone;
- actors: micro precision and recall over (document, actor) pairs, names compared folded
  (case, accents, a legal form « SA/SAS » aside); the programmes of the expected `schemes`
  are not counted as actors (they are their own facet);
- themes: micro-F1 over (document, label) pairs; schemes (« dispositifs ») the same;
- places: micro-F1 over the places literally named (record.place_details), and the same
  after rolling expected places up to their department and region (record.places);
- title (informative): exact after folding, punctuation and spacing aside (a title shortened with
  « … » counts when the expected one starts with it);
- type and language: accuracy (type also from the text alone, without the file name);
- detected entities (informative): share of the annotated `entities` that named-entity
  recognition proposed, when spaCy's French model is installed.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
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
from archive.text import fold_name  # noqa: E402
from indexer.doctype import detect_doc_type  # noqa: E402
from indexer.extract import extract  # noqa: E402
from indexer.metadata import build_record  # noqa: E402

ANNOTATED = ROOT / "tests" / "data" / "annotated"
EVAL = ROOT / "tests" / "data" / "eval"
SETS: dict[str, list[Path]] = {
    "seed": [ANNOTATED],
    "dev": [EVAL / "dev1", EVAL / "dev2", EVAL / "dev3", EVAL / "dev4", EVAL / "dev5"],
    "test": [EVAL / "test1", EVAL / "test2", EVAL / "test3"],
    # the folders added last, alone: how the rules did on them before anyone tuned on them
    "dev4": [EVAL / "dev4"],
    "test3": [EVAL / "test3"],
    "dev5": [EVAL / "dev5"],
}
SHOW_ERRORS = {"seed", "dev", "dev4", "dev5"}  # never per-document output for the test half
# Programmes: a facet of their own (« dispositifs »), not actors.
PROGRAMMES = frozenset(
    {
        "France 2030",
        "France Relance",
        "Programme d'investissements d'avenir",
        "Nouvelle France industrielle",
        "Territoires d'industrie",
        "Industrie du futur",
    }
)
TARGETS = {
    "date_exact": 0.90,
    "date_year": 0.97,
    "actor_precision": 0.90,
    "actor_recall": 0.85,
    "theme_f1": 0.80,
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
    year_ok: int = 0
    type_ok: int = 0
    type_text_ok: int = 0
    titled: int = 0  # documents whose annotation has a title
    title_ok: int = 0
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
            "date_year": round(self.year_ok / n, 4),
            "actor_precision": round(self.actors.precision, 4),
            "actor_recall": round(self.actors.recall, 4),
            "theme_f1": round(self.themes.f1, 4),
            "place_f1": round(self.places.f1, 4),
            "place_f1_rolled_up": round(self.places_rolled.f1, 4),
            "scheme_f1": round(self.schemes.f1, 4),
            "title_exact": round(self.title_ok / self.titled, 4) if self.titled else None,
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


def available(name: str) -> bool:
    """Every folder of the set has its expected.yaml."""
    return all((folder / "expected.yaml").is_file() for folder in SETS[name])


_LEGAL = re.compile(r"\s+(?:sa|sas|sasu|sarl|se|gmbh|ag|ltd|inc)\.?$")


def actor_key(name: str) -> str:
    """How two actor names are compared: folded, without a legal form, the gazetteer's
    canonical name when it knows the name as an alias."""
    canonical = gazetteer.actor_for_alias(name) or name
    return _LEGAL.sub("", fold_name(canonical))


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


def _title_key(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold_name(title)).split())


def same_title(found: str, expected: str) -> bool:
    """Titles compared folded, punctuation and spacing aside; a title shortened with « … » is right
    when the expected one starts with what it kept."""
    if found.endswith("…"):
        return _title_key(expected).startswith(_title_key(found[:-1]))
    return _title_key(found) == _title_key(expected)


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
            out.add(fold_name(name))
    return out


def evaluate(
    folder: Path | list[Path] = ANNOTATED, with_entities: bool = False, keep_errors: bool = True
) -> Evaluation:
    folders = folder if isinstance(folder, list) else [folder]
    ev = Evaluation()
    started = time.perf_counter()
    for one in folders:
        _evaluate_folder(one, ev, with_entities, keep_errors, prefix=f"{one.name}/" if len(folders) > 1 else "")
    ev.seconds = time.perf_counter() - started
    return ev


def _evaluate_folder(folder: Path, ev: Evaluation, with_entities: bool, keep_errors: bool, prefix: str) -> None:
    expected = load_expected(folder)
    for name, exp in sorted(expected.items()):
        record = record_for(folder / "docs" / name)
        ev.documents += 1
        errors: list[str] = []
        want_date = str(exp["date"]) if exp.get("date") is not None else None
        if record.date == want_date:
            ev.date_ok += 1
        else:
            errors.append(f"date {record.date} ({record.provenance.get('date_rule')}) ≠ {want_date}")
        if (record.date or "")[:4] == (want_date or "")[:4]:
            ev.year_ok += 1
        schemes = {actor_key(s) for s in exp.get("schemes") or []} | {actor_key(p) for p in PROGRAMMES}
        # The seed set lists organisations unknown to its gazetteer apart, as `entities`:
        # finding one as an actor is neither right nor wrong there.
        neutral = {actor_key(e) for e in exp.get("entities") or []}
        found_actors = {actor_key(a) for a in record.actors} - schemes - neutral
        wanted_actors = {actor_key(a) for a in exp.get("actors") or []} - schemes
        for label, counts, found, wanted in (
            ("actors", ev.actors, found_actors, wanted_actors),
            ("themes", ev.themes, set(record.themes), set(exp.get("themes") or [])),
            ("places", ev.places, _named_places(record), set(exp.get("places") or [])),
            ("schemes", ev.schemes, set(record.schemes), set(exp.get("schemes") or [])),
        ):
            counts.add(found, wanted)
            if found != wanted:
                extra, missing = sorted(found - wanted), sorted(wanted - found)
                errors.append(f"{label}: +{extra} -{missing}")
        ev.places_rolled.add(set(record.places), rolled_up(exp.get("places") or []))
        if exp.get("title"):
            ev.titled += 1
            if same_title(record.title, str(exp["title"])):
                ev.title_ok += 1
            else:
                errors.append(f"title « {record.title} » ≠ « {exp['title']} »")
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
            wanted_entities = {fold_name(e) for e in exp.get("entities") or []}
            ev.entities.add(_entity_names(record) & wanted_entities, wanted_entities)
        if errors and keep_errors:
            ev.errors[prefix + name] = errors


def _machine() -> str:
    try:
        import os

        cores = os.cpu_count()
    except Exception:  # pragma: no cover
        cores = None
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"


FIGURES = (
    "date_exact",
    "date_year",
    "actor_precision",
    "actor_recall",
    "theme_f1",
    "place_f1",
    "place_f1_rolled_up",
    "title_exact",
    "type_accuracy",
    "type_accuracy_text_only",
    "language_accuracy",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all", help="which annotated set (default: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-document errors")
    args = parser.parse_args(argv)

    from indexer import entities

    names = [n for n in ("seed", "dev", "test") if available(n)] if args.set == "all" else [args.set]
    if not names or not all(available(n) for n in names):
        print(f"annotated set not found: {args.set}", file=sys.stderr)
        return 2
    results = {}
    for name in names:
        ev = evaluate(SETS[name], with_entities=entities.available(), keep_errors=name in SHOW_ERRORS)
        results[name] = ev
    common = {"ner": entities.available(), "machine": _machine(), "date": time.strftime("%Y-%m-%d")}
    if args.json:
        out = {n: ev.figures() | {"failures": ev.failures()} for n, ev in results.items()}
        print(json.dumps(out | common, ensure_ascii=False, indent=2))
        return 1 if any(ev.failures() for ev in results.values()) else 0
    for name, ev in results.items():
        figures = ev.figures()
        print(f"\n[{name}] metadata extraction on {ev.documents} annotated documents ({common['machine']})")
        for key in FIGURES:
            target = f"  (target ≥ {TARGETS[key]:.2f})" if key in TARGETS else ""
            value = "–" if figures[key] is None else f"{figures[key]:.3f}"  # the seed set has no titles
            print(f"  {key:<24} {value:>5}{target}")
        if entities.available():
            print(f"  {'entity_recall':<24} {figures['entity_recall']:.3f}  (spaCy NER, informative)")
        print(f"  {'seconds':<24} {figures['seconds']:.2f}")
        if not args.quiet and name in SHOW_ERRORS:
            for doc, errors in ev.errors.items():
                print(f"\n{doc}")
                for line in errors:
                    print(f"    {line}")
        for line in ev.failures():
            print(f"TARGET MISSED [{name}]: {line}")
    return 1 if any(ev.failures() for ev in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
