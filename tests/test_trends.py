"""« Évolution des termes »: the numpy computation, the engine (counts add up to search totals), the
CLI and the app view (AppTest)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from archive_testing import cli, ner_off
from streamlit.testing.v1 import AppTest

from archive.engine import open_engine
from archive.models import SearchRequest
from archive.trends import compute, month_label, span
from conftest import SEEDS
from indexer.pipeline import index_corpus

ROOT = Path(__file__).resolve().parent.parent
DATED = {  # file → (date line, words)
    "a.txt": ("12 mars 2012", "acier emploi"),
    "b.txt": ("2 avril 2012", "acier"),
    "c.txt": ("5 mai 2015", "emploi"),
    "d.md": ("", "acier sans date aucune"),
}


def test_compute_counts_shares_and_periods_apart() -> None:
    keys = np.array([20120312, 20120402, 20150505, 0, 20120000, 20300101, 20120101])
    live = np.array([True, True, True, True, True, True, False])
    acier = np.array([True, True, False, True, True, True, True])
    trend = compute(keys, live, [acier], ["acier"], "year", 2011, 2026)
    assert trend.periods[0] == "2011" and trend.periods[-1] == "2026" and len(trend.periods) == 16
    assert trend.totals[1] == 3 and trend.totals[4] == 1  # 2012: three live documents, 2015: one
    series = trend.series[0]
    assert series.counts[1] == 3 and series.shares[1] == 1.0
    assert series.counts[4] == 0 and series.shares[4] == 0.0 and series.shares[0] is None
    assert (series.total, series.undated, series.outside) == (5, 1, 1)  # the deleted document is left out
    assert sum(series.counts) + series.undated + series.outside == series.total

    monthly = compute(keys, live, [acier], ["acier"], "month", 2011, 2026)
    s = monthly.series[0]
    assert len(monthly.periods) == 16 * 12 and monthly.labels[15] == "avr. 2012"
    assert s.year_only == 1 and sum(s.counts) + s.undated + s.year_only + s.outside == s.total
    assert s.counts[monthly.periods.index("2012-03")] == 1


def test_span_always_covers_2011_2026_and_widens_for_outliers() -> None:
    live = np.ones(3, dtype=bool)
    assert span(np.array([20190101, 20200101, 0]), live, None, None) == (2011, 2026)
    assert span(np.array([20080101, 20200101, 0]), live, None, None) == (2008, 2026)
    assert span(np.array([20190101]), np.ones(1, bool), 2018, 2021) == (2018, 2021)
    assert month_label("2011-04") == "avr. 2011" and month_label("2011-08") == "août 2011"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("trends")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    for name, (date, words) in DATED.items():
        (corpus / name).write_text(f"Note {name}\n\n{date}\n\nLa note parle de {words}.\n", encoding="utf-8")
    with ner_off():
        assert not index_corpus(corpus, index).failed
    return corpus, index


@pytest.mark.parametrize("granularity", ["year", "month"])
def test_engine_counts_add_up_to_the_search_totals(indexed, granularity: str) -> None:
    _, index = indexed
    engine = open_engine(index)
    queries = ["acier", "emploi", "acteur:CGT", "industrie -automobile"]
    trend = engine.trend([SearchRequest(q) for q in queries], granularity)
    everything = engine.search(SearchRequest("", with_snippets=False))
    for query, series in zip(queries, trend.series, strict=True):
        total = engine.search(SearchRequest(query, with_snippets=False)).total
        assert series.total == total > 0, query
        assert sum(series.counts) + series.undated + series.year_only + series.outside == total
    if granularity == "year":
        # The denominators are the archive's documents per year.
        by_year = everything.facets["year"]
        assert {p: n for p, n in zip(trend.periods, trend.totals, strict=True) if n} == by_year
        acier = trend.series[0]
        i = trend.periods.index("2012")
        assert acier.counts[i] == 2 and acier.shares[i] == pytest.approx(2 / trend.totals[i])
        assert acier.undated == 1
    engine.close()


def test_engine_reports_an_unreadable_query_without_failing_the_others(indexed) -> None:
    engine = open_engine(indexed[1])
    trend = engine.trend([SearchRequest("acier"), SearchRequest("année:vingt acier")], "year")
    engine.close()
    assert trend.series[0].error is None and trend.series[0].total == 3
    assert "Année illisible" in trend.series[1].error and trend.series[1].total == 0
    bad = cli("trend", "acier", "année:vingt", "--index", str(indexed[1]))
    assert bad.returncode == 2 and "Année illisible" in bad.stderr


def test_cli_trend(indexed) -> None:
    _, index = indexed
    done = cli("trend", "acier", "emploi", "--json", "--index", str(index))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["periods"][0] == "2011" and [s["query"] for s in data["series"]] == ["acier", "emploi"]
    assert data["series"][0]["counts"][data["periods"].index("2012")] == 2
    text = cli("trend", "acier", "--by", "month", "--index", str(index))
    assert text.returncode == 0 and "2012-03" in text.stdout and "sans date" in text.stdout
    too_many = cli("trend", "a", "b", "c", "d", "e", "--index", str(index))
    assert too_many.returncode == 2 and "4 requêtes au plus" in too_many.stderr


def _trends_page(indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app's « Évolution des termes » page over the indexed corpus, not run yet."""
    corpus, index = indexed
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.setenv("ARCHIVE_LAB_DB", str(index.parent / "lab.sqlite"))
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["vue"] = "evolution"
    return at


def test_app_view_lists_documents_of_a_point_and_exports(indexed, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _trends_page(indexed, monkeypatch)
    at.run()
    assert not at.exception
    assert any("Tapez une ou plusieurs recherches" in i.value for i in at.info)
    at.text_input(key="w_t0").input("acier").run()
    at.text_input(key="w_t1").input("emploi").run()
    assert at.query_params.get("t") == ["acier", "emploi"]
    assert any("1\\. acier" in m.value and "1 sans date" in m.value for m in at.markdown)
    pick = at.selectbox(key="w_trend_pick")
    wanted = "1. acier — 2012 (2 documents)"
    assert wanted in pick.options
    pick.select("0|2012").run()
    assert at.query_params.get("periode") in ("2012", ["2012"]) and at.query_params.get("serie") in ("0", ["0"])
    assert [s.value for s in at.subheader] == ["1. acier — 2012"]
    rows = [h.value for h in at.html if h.value.startswith('<div class="arc-card">')]
    assert len(rows) == 2 and all("2012" in r for r in rows)

    at.segmented_control(key="w_trend_step").set_value("mois").run()
    assert at.query_params.get("pas") in ("mois", ["mois"]) and at.query_params.get("periode") is None
    assert any("année seule" in c.value for c in at.caption)


def test_exports_csv_with_french_separator_and_images(indexed) -> None:
    from ui.view_trends import chart, image, to_csv

    engine = open_engine(indexed[1])
    trend = engine.trend([SearchRequest("acier")], "year")
    engine.close()
    names = ["1. acier"]
    rows = list(csv.reader(io.StringIO(to_csv(trend, names, ";").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["période", "tous les documents", "1. acier (documents)", "1. acier (part)"]
    row_2012 = next(r for r in rows if r[0] == "2012")
    assert row_2012[2] == "2" and "," in row_2012[3]
    comma = list(csv.reader(io.StringIO(to_csv(trend, names).decode("utf-8-sig"))))
    assert len(comma) == len(trend.periods) + 1 and "." in next(r for r in comma if r[0] == "2012")[3]
    spec = chart(trend, names, "part")
    assert image(spec, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    svg = image(spec, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "1. acier" in svg


def test_trends_image_export_is_the_chart_drawn_by_vega() -> None:
    import altair as alt
    import pandas as pd

    from ui.view_trends import image

    data = pd.DataFrame({"période": ["2011", "2012"], "valeur": [3, 5], "série": ["1. industrie"] * 2})
    chart = alt.Chart(data).mark_line(point=True).encode(x="période", y="valeur", color="série")
    svg = image(chart, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "1. industrie" in svg
    assert image(chart, "png").startswith(b"\x89PNG")


def test_count_chart_image_has_no_repeated_axis_numbers(indexed) -> None:
    """A count axis at the exported height has ticks at 0.5, 1.5…: printed as integers they read
    « 0 1 1 2 2 » unless the ticks are whole numbers."""
    import re

    from ui.view_trends import chart, image

    engine = open_engine(indexed[1])
    trend = engine.trend([SearchRequest("acier")], "year")
    engine.close()
    assert max(trend.series[0].counts) == 2  # small counts: the case where Vega picks half ticks
    svg = image(chart(trend, ["1. acier"], "nombre"), "svg").decode("utf-8")
    labels = re.findall(r"<text[^>]*>(\d{1,3})</text>", svg)  # the y axis (the years have four digits)
    assert labels and len(labels) == len(set(labels)), labels


def test_a_query_that_cannot_be_read_has_no_curve(indexed, monkeypatch: pytest.MonkeyPatch) -> None:
    """« le la les de des » was drawn as a line at zero beside its error message."""
    at = _trends_page(indexed, monkeypatch)
    at.query_params["t"] = ["acier", "le la les de des"]
    at.run()
    assert not at.exception
    assert any("mots trop courants" in e.value for e in at.error)
    notes = " ".join(m.value for m in at.markdown)
    assert "1\\. acier" in notes and "le la les" not in notes  # only the readable query is drawn and counted
    at.query_params["t"] = ["le la les de des"]
    at.run()
    assert not at.exception and at.error and not [m for m in at.markdown if "document" in m.value]
