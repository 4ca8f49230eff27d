"""Accuracy of metadata extraction on the annotated set (tests/data/annotated): a regression
below the targets fails here. Same evaluation as benchmarks/bench_metadata.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from indexer.doctype import DOC_TYPES

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench_metadata.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_metadata", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_metadata", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory):
    mp = pytest.MonkeyPatch()
    mp.setenv("ARCHIVE_NER", "0")  # named-entity recognition is informative and slow to load
    try:
        yield _bench().evaluate()
    finally:
        mp.undo()


def test_annotated_set_is_large_and_varied() -> None:
    bench = _bench()
    expected = bench.load_expected()
    assert len(expected) >= 40
    assert {e["doc_type"] for e in expected.values()} >= set(DOC_TYPES)
    assert {e["language"] for e in expected.values()} >= {"fr", "en", "de"}
    years = {int(str(e["date"])[:4]) for e in expected.values() if e.get("date")}
    assert min(years) <= 2011 and max(years) >= 2026
    for name in expected:
        assert (bench.ANNOTATED / "docs" / name).is_file(), name


def test_targets_are_met(evaluation) -> None:
    assert evaluation.failures() == [], "\n".join(
        [*evaluation.failures(), *(f"{k}: {v}" for k, v in evaluation.errors.items())]
    )


def test_other_figures_do_not_regress(evaluation) -> None:
    figures = evaluation.figures()
    assert figures["place_f1"] >= 0.90
    assert figures["place_f1_rolled_up"] >= 0.90
    assert figures["type_accuracy_text_only"] >= 0.85
