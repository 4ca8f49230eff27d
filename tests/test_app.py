"""The Streamlit app, driven by Streamlit's AppTest on a real indexed copy of the seeds."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
import rispy
from archive_testing import first_hit_id, place_counts
from streamlit.testing.v1 import AppTest

from archive.csv_export import csv_rows, to_csv
from archive.engine import is_current_version, open_engine
from archive.models import DocumentRecord, Hit, SearchRequest
from archive.ris_export import ris_entry, to_ris
from indexer.pipeline import index_corpus
from ui.state import UrlState

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
BROKEN = "casse.pdf"
HOSTILE = "piege.html"
HOSTILE_HTML = (
    "<html><head><title>Note <script>window.__pwned=1</script> piégée</title></head><body>"
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    "<p>La relocalisation des vallées alpines passe par la formation des salariés "
    "et une politique industrielle ambitieuse.</p></body></html>"
)
TIMEOUT = 60


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    base = tmp_path_factory.mktemp("app")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / BROKEN).write_bytes(b"%PDF-1.4\nceci n'est pas un PDF valide")
    (corpus / HOSTILE).write_text(HOSTILE_HTML, encoding="utf-8")
    report = index_corpus(corpus, index)
    assert [f["path"] for f in report.failed] == [BROKEN]
    yield corpus, index


@pytest.fixture
def env(archive: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    corpus, index = archive
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    return corpus, index


def run(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def until_job_done(at: AppTest, key: str, timeout: float = 120) -> AppTest:
    """Rerun the page (as its polling does) until the indexing job it started is over."""
    deadline = time.monotonic() + timeout
    while key in at.session_state and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    assert key not in at.session_state, "the indexing job did not finish"
    assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> list[str]:
    return [h.value for h in at.html if 'class="arc-card"' in h.value]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.html]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [t.value for t in at.title] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def actor_of_two(index: Path) -> str:
    """An actor tagged on some but not all documents matching « réindustrialisation »."""
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(query="réindustrialisation", limit=50))
        for actor, n in result.facets["actor"].items():
            if 0 < n < result.total:
                return actor
    finally:
        engine.close()
    pytest.skip("no actor narrows the seed results")


def card_paths(at: AppTest) -> list[str]:
    """Paths of the listed documents, in the order shown."""
    return [m.group(1) for card in cards(at) for m in [re.search(r'class="arc-muted">([^<]*)<', card)] if m]


def all_hits(index: Path, query: str) -> dict[str, Hit]:
    """path → hit of every full match of `query`, straight from the engine."""
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(query=query, limit=100, with_snippets=False))
        return {h.path: h for h in result.hits if not h.partial}
    finally:
        engine.close()


# -- search ---------------------------------------------------------------------------


def test_search_shows_three_highlighted_results(env) -> None:
    at = run()
    at.text_input(key="w_q").input("réindustrialisation").run()
    assert param(at, "q") == ["réindustrialisation"]
    found = cards(at)
    assert len(found) == 3
    assert all("<mark>" in card for card in found)
    assert "3 documents trouvés" in texts(at)


def test_facet_selection_narrows_and_goes_to_the_url(env) -> None:
    corpus, index = env
    actor = actor_of_two(index)
    at = run(q="réindustrialisation")
    before = len(cards(at))
    at.checkbox(key=f"w_f_acteur_{actor}").check().run()
    assert param(at, "acteur") == [actor]
    after = cards(at)
    assert 0 < len(after) < before
    assert all(actor in card for card in after)
    # The chip removes it again.
    at.button(key=f"chip_acteur_{actor}").click().run()
    assert param(at, "acteur") == []
    assert len(cards(at)) == before


def test_ticked_actors_can_be_asked_all_at_once(env) -> None:
    corpus, index = env
    everything = all_hits(index, "")
    either = {p for p, h in everything.items() if {"CGT", "Édouard Philippe"} & set(h.actors)}
    at = run(acteur=["CGT", "Édouard Philippe"])
    assert set(card_paths(at)) == either and len(either) >= 2
    assert at.toggle(key="w_tous_acteur").value is False  # one or the other, by default
    at.toggle(key="w_tous_acteur").set_value(True).run()
    assert param(at, "tous") == ["acteur"]
    assert card_paths(at) == [] and "Aucun document" in texts(at)  # no seed names both
    at = run(acteur=["CGT", "Bpifrance"], tous="acteur")
    both = {p for p, h in everything.items() if {"CGT", "Bpifrance"} <= set(h.actors)}
    assert at.toggle(key="w_tous_acteur").value is True and set(card_paths(at)) == both and both
    at.toggle(key="w_tous_acteur").set_value(False).run()
    assert param(at, "tous") == []


def test_query_params_restore_the_state(env) -> None:
    corpus, index = env
    actor = actor_of_two(index)
    at = run(q="réindustrialisation", acteur=actor, tri="-date", de="2021", a="2026")
    assert at.text_input(key="w_q").value == "réindustrialisation"
    assert at.checkbox(key=f"w_f_acteur_{actor}").value is True
    assert at.segmented_control(key="w_sort").value == "-date"
    assert tuple(at.slider(key="w_years").value) == (2021, 2026)
    assert any(b.key == f"chip_acteur_{actor}" for b in at.button)
    # The list is what the restored state selects, computed here from the documents themselves.
    everything = all_hits(index, "réindustrialisation")
    expected = {p for p, h in everything.items() if actor in h.actors and h.year and 2021 <= h.year <= 2026}
    shown = card_paths(at)
    assert expected and set(shown) == expected
    assert len(expected) < len(everything)
    dates = [everything[p].date for p in shown]
    assert dates == sorted(dates, reverse=True)


# Sixteen towns: more than the place facet lists at once, so its filter box is shown.
TOWNS = [
    "Pont-de-Claix",
    "Alès",
    "Florange",
    "Dunkerque",
    "Fos-sur-Mer",
    "Béthune",
    "Sochaux",
    "Gardanne",
    "Belfort",
    "Hayange",
    "Roussillon",
    "Lannion",
    "Crolles",
    "Cherbourg",
    "Blanquefort",
    "Jarrie",
]


@pytest.fixture(scope="module")
def towns_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("towns")
    corpus, index = base / "corpus", base / "index"
    corpus.mkdir()
    (corpus / "tournee.txt").write_text(
        "Tournée des sites industriels : réunions avec les salariés et les élus de chaque bassin d'emploi.\n",
        encoding="utf-8",
    )
    (corpus / "tournee.txt.meta.yaml").write_text(f"places: [{', '.join(TOWNS)}]\n", encoding="utf-8")
    report = index_corpus(corpus, index)
    assert report.failed == []
    return corpus, index


@pytest.mark.parametrize("typed", ["pont de claix", "Pont-de-Claix", "PONT DE CLAIX", "claix"])
def test_place_filter_box_folds_like_the_field_search(towns_archive, monkeypatch, typed: str) -> None:
    corpus, index = towns_archive
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    at = run()
    at.session_state["exp_lieu"] = True  # « Lieux » opened (it starts closed)
    at.run()
    places = [c.key for c in at.checkbox if c.key.startswith("w_f_lieu_")]
    assert places and "w_f_lieu_Pont-de-Claix" not in places  # beyond the first values: the box is needed
    at.text_input(key="w_filter_lieu").input(typed).run()
    assert [c.key for c in at.checkbox if c.key.startswith("w_f_lieu_")] == ["w_f_lieu_Pont-de-Claix"]
    assert "Aucune valeur ne correspond" not in texts(at)


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_sort_by_date_orders_the_results(env, sort: str) -> None:
    _, index = env
    everything = all_hits(index, "industrie")
    at = run(q="industrie")
    relevance = [everything[p].date for p in card_paths(at)]
    at.segmented_control(key="w_sort").set_value(sort).run()
    assert param(at, "tri") == [sort]
    shown = card_paths(at)
    assert sorted(shown) == sorted(everything)
    dates = [everything[p].date for p in shown]
    dated = [d for d in dates if d]
    assert len(set(dated)) >= 3, "the seeds should hold at least three dates"
    assert dates == sorted(dated, reverse=sort == "-date") + [None] * (len(dates) - len(dated))
    assert dates != relevance


def test_year_slider_filters(env) -> None:
    at = run()
    lo, hi = at.slider(key="w_years").value
    if lo == hi:
        pytest.skip("the seeds span a single year")
    at.slider(key="w_years").set_value((hi, hi)).run()
    assert param(at, "de") == [str(hi)]
    assert 0 < len(cards(at)) < 5


def facet_boxes(at: AppTest, param: str) -> list[str]:
    return [c.key for c in at.checkbox if c.key.startswith(f"w_f_{param}_")]


def test_a_closed_facet_sends_no_checkbox_until_opened(env) -> None:
    at = run()
    assert facet_boxes(at, "acteur"), "« Acteurs » starts open"
    assert facet_boxes(at, "lieu") == []  # « Lieux » starts closed: nothing built inside
    assert "vous trouvez" not in texts(at)  # nor the closed syntax help
    at.session_state["exp_lieu"] = True
    at.session_state["exp_syntax"] = True
    at.run()
    assert facet_boxes(at, "lieu")
    assert "vous trouvez" in texts(at)
    at.session_state["exp_lieu"] = False
    at.run()
    assert facet_boxes(at, "lieu") == []


def test_a_facet_with_a_selection_is_open_and_can_be_closed(env) -> None:
    _, index = env
    place = next(iter(place_counts(index)))
    at = run(lieu=place)
    assert at.checkbox(key=f"w_f_lieu_{place}").value is True
    at.session_state["exp_lieu"] = False  # the researcher closes it: it stays closed
    at.run()
    assert facet_boxes(at, "lieu") == []
    at.run()
    assert facet_boxes(at, "lieu") == []


def test_a_facet_opens_when_it_gets_a_selection(env) -> None:
    _, index = env
    place = next(iter(place_counts(index)))
    at = run()
    assert facet_boxes(at, "lieu") == []
    at.query_params["lieu"] = place  # a chip or badge of another facet's view added it
    at.run()
    assert at.checkbox(key=f"w_f_lieu_{place}").value is True


YEAR_BAR = re.compile(r'<div class="arc-year( out)?" title="(\d{4}) : (\d[\d\s\u202f\u00a0]*) documents?">')


def year_bars_of(html_text: str) -> dict[int, tuple[int, bool]]:
    """year → (documents, kept by the year filter) read from the sidebar's bars."""
    return {int(y): (int(re.sub(r"\D", "", n)), not out) for out, y, n in YEAR_BAR.findall(html_text)}


def test_year_bars_title_each_year_in_french_and_grey_those_left_out() -> None:
    from ui.controls import year_bars

    html_text = year_bars({"2019": 900, "2020": 1, "2021": 1500}, 2018, 2021, 2019, 2020)
    assert 'title="2018 : 0 document"' in html_text
    assert 'title="2020 : 1 document"' in html_text
    assert year_bars_of(html_text) == {2018: (0, False), 2019: (900, True), 2020: (1, True), 2021: (1500, False)}
    heights = re.findall(r"height:([\d.]+)%", html_text)
    assert heights == ["0.0", "60.0", "4.0", "100.0"]  # one document stays visible


def test_sidebar_year_bars_count_each_year_of_the_search(env) -> None:
    _, index = env
    state = UrlState.from_params({"q": ["industrie"]})
    engine = open_engine(index)
    try:
        counts = engine.search(state.request()).facets["year"]
        every = [int(y) for y in engine.facet_values("year") if y.isdigit()]
    finally:
        engine.close()
    years = sorted(int(y) for y in counts)
    if len(years) < 2:
        pytest.skip("the seeds' matches span a single year")
    lo, hi = min(every), max(every)
    at = run(q="industrie", de=str(years[1]))
    bars = year_bars_of("".join(h.value for h in at.html))
    assert sorted(bars) == list(range(lo, hi + 1))
    # Each bar says what the engine counts for the search as it stands.
    expected = UrlState.from_params({"q": ["industrie"], "de": [str(years[1])]}).request()
    engine = open_engine(index)
    try:
        shown = engine.search(expected).facets["year"]
    finally:
        engine.close()
    assert {y: n for y, (n, _) in bars.items() if n} == {int(y): n for y, n in shown.items() if y.isdigit()}
    assert {y for y, (_, kept) in bars.items() if not kept} == set(range(lo, years[1]))


def test_a_query_of_common_words_only_gets_one_plain_french_message(env) -> None:
    """« Requête illisible : La requête ne contient que des mots trop courants… »: the query was not
    unreadable, and a message of the engine that already said « Requête illisible » said it twice."""
    for q, words in (("le la les de des", "mots trop courants"), ("année:20x9", "Année illisible")):
        at = run(q=q)
        (error,) = [e.value.replace("\\", "") for e in at.error]  # the Markdown source, escapes aside
        assert words in error and not error.startswith("Requête illisible"), error


def test_nothing_found_offers_a_suggestion_and_filter_removal(env) -> None:
    corpus, index = env
    actor = actor_of_two(index)
    at = run(q="réindustrialisaton")  # found nothing: the correction's results, and a way back
    assert "résultats pour « réindustrialisation »" in " ".join(i.value for i in at.info)
    assert cards(at)
    at.button(key="w_literal").click().run()
    assert param(at, "q") == ['"réindustrialisaton"']
    assert "Aucun document" in texts(at)
    suggestion = [b for b in at.button if b.key == "w_suggestion"]
    assert suggestion and "réindustrialisation" in suggestion[0].label
    suggestion[0].click().run()
    assert param(at, "q") == ['"réindustrialisation"']

    at = run(q="Vencorex", acteur=actor, type="texte officiel")
    assert any(b.key == "w_drop_all" for b in at.button)
    at.button(key="w_drop_all").click().run()
    assert param(at, "acteur") == [] and param(at, "q") == ["Vencorex"]


def test_what_the_query_was_understood_as_is_shown(env) -> None:
    at = run(q="((((")
    assert "Recherche vide : tous les documents sont listés." in [i.value.replace("\\", "") for i in at.info]
    assert len(cards(at)) == 6  # every document, as for an empty box

    at = run(q="Auvergne-Rhône-Alpes")  # named by no text, but the place facet rolls towns up to it
    assert "Aucun document" in texts(at)
    offered = [b for b in at.button if b.key == "w_alternative_0"]
    assert offered and "lieu:Auvergne-Rhône-Alpes" in offered[0].label.replace("\\", "")
    offered[0].click().run()
    assert param(at, "q") == ["lieu:Auvergne-Rhône-Alpes"]
    assert cards(at)


def test_syntax_error_is_a_readable_message(env) -> None:
    at = run(q="année:deux-mille")
    assert at.error and at.error[0].value.replace("\\", "").startswith("Année illisible : « deux-mille »")


def test_partial_results_are_set_apart(env) -> None:
    at = run(q="Gardanne emploi")
    assert len(cards(at)) == 1
    assert "Résultats approchants" in texts(at)
    assert any("arc-partial" in h.value for h in at.html)
    assert "1 document trouvé" in texts(at)


def test_hostile_html_document_is_escaped(env, archive) -> None:
    at = run(q="vallées alpines")
    shown = "\n".join(cards(at))
    assert shown, "the hostile document should be found"
    assert "<script" not in shown and "<img" not in shown


# -- document -----------------------------------------------------------------------------


def test_document_view_shows_metadata_and_highlighted_text(env) -> None:
    corpus, index = env
    engine = open_engine(index)
    hit = engine.search(SearchRequest(query="réindustrialisation", limit=1)).hits[0]
    record = engine.document(hit.id)
    engine.close()
    at = run(vue="document", doc=hit.id, q="réindustrialisation")
    body = texts(at)
    assert "Métadonnées" in body and "Texte intégral" in body
    assert record.id in body
    for actor in record.actors:
        assert html.escape(actor) in body
    assert "extrait" in body  # provenance
    assert any("<mark>" in h.value and "arc-fulltext" in h.value for h in at.html)
    assert [b.label for b in at.download_button] == ["Télécharger l'original"]
    assert "Documents similaires" in body


def test_unknown_document_is_a_message(env) -> None:
    at = run(vue="document", doc="0123456789abcdef")
    assert at.error and "pas (ou plus)" in at.error[0].value


# -- timeline ----------------------------------------------------------------------------


def test_timeline_renders_and_keeps_its_options_in_the_url(env) -> None:
    at = run(vue="chronologie")
    assert "Chronologie" in texts(at)
    at.segmented_control(key="w_pas").set_value("mois").run()
    assert param(at, "pas") == ["mois"]
    at.segmented_control(key="w_couleur").set_value("theme").run()
    assert param(at, "couleur") == ["theme"]
    options = at.selectbox(key="w_period").options
    assert len(options) > 1
    at.selectbox(key="w_period").select_index(1).run()
    assert param(at, "periode")
    assert "Documents de" in texts(at)


def test_timeline_count_agrees_in_number_with_one_document(env) -> None:
    at = run(vue="chronologie", q="Basset")  # one seed document
    assert any(c.value.startswith("1 document correspond à la recherche") for c in at.caption), [
        c.value for c in at.caption
    ]


def test_period_hits_agree_with_the_timeline(env) -> None:
    _, index = env
    engine = open_engine(index)
    try:
        for granularity in ("year", "month"):
            data = engine.timeline(SearchRequest(), granularity=granularity)
            for period, n in zip(data.periods, data.series["documents"], strict=True):
                hits, total = engine.period_hits(SearchRequest(limit=50, with_snippets=False), period)
                assert total == n == len(hits)
                assert all((h.date or "").startswith(period) for h in hits)
                assert [h.date for h in hits] == sorted(h.date for h in hits)
    finally:
        engine.close()


def test_timeline_month_period_lists_its_documents(env) -> None:
    at = run(vue="chronologie", pas="mois", periode="2026-03")
    rows = cards(at)
    assert len(rows) == 2 and all("mars 2026" in r for r in rows)
    assert "Documents de mars 2026" in texts(at)


def chart_data(at: AppTest) -> tuple[str, list[dict]]:
    """The mark and the rows of the timeline chart, as sent to the browser."""
    charts = [c for c in at.get("vega_lite_chart") if "periode_choisie" in c.proto.spec]
    assert len(charts) == 1
    (dataset,) = charts[0].proto.datasets
    mark = json.loads(charts[0].proto.spec)["mark"]["type"]
    return mark, pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()


def test_timeline_compare_charts_the_chosen_actors(env) -> None:
    _, index = env
    everything = all_hits(index, "")
    at = run(vue="chronologie", couleur="acteur")
    options = at.multiselect(key="w_compare").options
    # Two actors tagged on different documents, so the two lines differ.
    chosen = ["CGT", "Guillaume Basset"]
    assert set(chosen) <= set(options)
    at.multiselect(key="w_compare").select(chosen[0]).select(chosen[1]).run()
    assert param(at, "comparer") == chosen
    mark, rows = chart_data(at)
    assert mark == "line"
    assert {r["série"] for r in rows} == set(chosen)
    for actor in chosen:
        expected = Counter(str(h.year) for h in everything.values() if actor in h.actors and h.year)
        charted = {r["période"]: r["documents"] for r in rows if r["série"] == actor and r["documents"]}
        assert expected and charted == dict(expected), actor


def test_timeline_chart_counts_documents_per_year(env) -> None:
    _, index = env
    everything = all_hits(index, "")
    at = run(vue="chronologie")
    mark, rows = chart_data(at)
    assert mark == "bar"
    assert {r["série"] for r in rows} == {"documents"}
    expected = Counter(str(h.year) for h in everything.values() if h.year)
    assert {r["période"]: r["documents"] for r in rows if r["documents"]} == dict(expected)
    assert [r["période"] for r in rows] == [str(y) for y in range(2011, 2027)]
    undated = sum(1 for h in everything.values() if not h.year)
    assert undated == 2 and "2 documents sans date" in texts(at)


# -- status, access --------------------------------------------------------------------------


def test_status_view_lists_the_failed_file(env) -> None:
    at = run(vue="etat")
    body = texts(at)
    assert "État de l'archive" in body
    assert BROKEN in body
    assert any(b.key == "w_retry_0" for b in at.button)
    assert any(b.key == "w_rebuild" for b in at.button)
    assert at.metric[0].value == "6"


def test_readonly_hides_upload_and_reindex(env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    at = run()
    assert "ajouter" not in at.radio(key="w_vue").options
    at = run(vue="ajouter")
    assert not at.file_uploader
    at = run(vue="etat")
    assert not any(b.key in ("w_rebuild", "w_retry_0", "w_retry_all") for b in at.button)
    assert "lecture seule" in texts(at)


def test_readonly_hides_corrections_and_review_decisions(env, monkeypatch: pytest.MonkeyPatch) -> None:
    _, index = env
    doc = first_hit_id(index, "réindustrialisation")
    at = run(vue="document", doc=doc)
    assert any(e.label == "Corriger les métadonnées" for e in at.expander)
    assert "date : " in texts(at)  # the rule behind the date is shown
    monkeypatch.setenv("ARCHIVE_READONLY", "1")
    at = run(vue="document", doc=doc)
    assert not any(e.label == "Corriger les métadonnées" for e in at.expander)
    assert not at.form_submit_button
    at = run(vue="verifier")
    assert "À vérifier" in texts(at)
    assert not any(b.key and b.key.startswith("w_det_") for b in at.button)


def test_the_correction_form_is_built_only_once_opened(env) -> None:
    _, index = env
    doc = first_hit_id(index, "réindustrialisation")
    at = run(vue="document", doc=doc)
    assert any(e.label == "Corriger les métadonnées" for e in at.expander)
    assert not at.multiselect and not at.form_submit_button  # closed: nothing of the form sent
    at.session_state["exp_correct"] = True
    at.run()
    assert [m.label for m in at.multiselect] == ["Acteurs", "Dispositifs", "Thèmes", "Lieux"]
    assert [b.label for b in at.form_submit_button] == ["Enregistrer les corrections"]


def test_password_protects_changes_but_not_search(env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_ADMIN_PASSWORD", "s3cret-é")
    at = run(q="réindustrialisation")
    assert len(cards(at)) == 3
    at = run(vue="ajouter")
    assert not at.file_uploader
    at.text_input(key="w_password_page").input("mauvais")
    at.form_submit_button[0].click().run()
    assert at.error and "incorrect" in at.error[0].value
    at.text_input(key="w_password_page").input("s3cret-é")
    at.form_submit_button[0].click().run()
    assert at.file_uploader


def test_upload_indexes_and_detects_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    index_corpus(corpus, index)
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    seed = sorted((ROOT / "corpus").glob("*.txt"))[0]
    new_text = "Compte rendu : la filière hydrogène de Fos-sur-Mer installe des électrolyseurs géants.".encode()
    at = run(vue="ajouter")
    at.file_uploader[0].set_value(
        [("../../nouveau.txt", new_text, "text/plain"), (seed.name, seed.read_bytes(), "text/plain")]
    )
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    until_job_done(at, "job_upload")
    assert any("indexé" in s.value and "nouveau.txt" in s.value for s in at.success)
    assert any("doublon" in i.value for i in at.info)
    assert (corpus / "uploads" / "nouveau.txt").read_bytes() == new_text
    assert not (corpus / "uploads" / seed.name).exists()
    at = run(q="électrolyseurs")
    assert len(cards(at)) == 1


def test_a_second_upload_click_waits_for_the_first_indexing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While an upload is being indexed, its button was still enabled: a second click (or one
    Streamlit replays after an interrupted rerun) saved the same files again as « (2) » copies."""
    from indexer.lock import WriteLock

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    index_corpus(corpus, index)
    for name, value in (("ARCHIVE_CORPUS", corpus), ("ARCHIVE_INDEX", index)):
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    text = "Note : la verrerie d’Arques-la-Bataille rouvre un four.".encode()
    lock = WriteLock(index, timeout=5, purpose="test : un autre processus écrit")
    lock.acquire()  # the indexing job waits behind another writer: it stays pending
    try:
        at = run(vue="ajouter")
        at.file_uploader[0].set_value([("verrerie.txt", text, "text/plain")])
        at.form_submit_button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "job_upload" in at.session_state
        assert at.form_submit_button[0].disabled  # AppTest, like a browser, refuses to click it
        at.run()
        assert at.form_submit_button[0].disabled
    finally:
        lock.release()
    until_job_done(at, "job_upload")
    assert sorted(p.name for p in (corpus / "uploads").iterdir()) == ["verrerie.txt"]
    assert len(cards(run(q="verrerie Arques"))) == 1


def test_pagination_keeps_the_page_in_the_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for i in range(23):
        year = 2011 + i % 15
        (corpus / f"note-{i:02d}.txt").write_text(
            f"Note n° {i} du 3 mars {year} sur la sidérurgie lorraine et l'emploi industriel.\n", encoding="utf-8"
        )
    index_corpus(corpus, index)
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    at = run(q="sidérurgie", tri="date")
    assert len(cards(at)) == 10 and "Page 1 sur 3" in texts(at)
    at.button(key="w_next").click().run()
    assert param(at, "page") == ["2"] and len(cards(at)) == 10
    at = run(q="sidérurgie", tri="date", page="3")
    assert len(cards(at)) == 3 and "Page 3 sur 3" in texts(at)
    assert at.button(key="w_next").disabled
    # A new search goes back to page 1.
    at.text_input(key="w_q").input("emploi").run()
    assert param(at, "page") == []


# -- exports (pure) ----------------------------------------------------------------------------


def record(**kw) -> DocumentRecord:
    base = dict(
        id="abc",
        paths=["a/rapport.pdf"],
        title="Rapport sur la filière",
        date="2020-09-17",
        year=2020,
        actors=["CGT", "Bpifrance"],
        themes=["emploi"],
        places=["Isère"],
        doc_type="rapport",
        language="fr",
        pages=3,
        sha256="f" * 64,
        size=1234,
        indexed_at="2026-01-01T10:00:00",
        format="pdf",
        source_url="https://exemple.org/r.pdf",
        schemes=["France 2030"],
    )
    base.update(kw)
    return DocumentRecord(**base)


def test_csv_rows_have_every_field() -> None:
    rows = csv_rows([record(), record(id="def", title='=HYPERLINK("x")', actors=[], date=None, year=None)])
    header, first, second = rows
    assert header[:3] == ["id", "titre", "date"] and "acteurs" in header and "source" in header
    row = dict(zip(header, first, strict=True))
    assert row["acteurs"] == "CGT ; Bpifrance" and row["année"] == "2020" and row["lieux"] == "Isère"
    assert row["chemins"] == "a/rapport.pdf" and row["source"] == "https://exemple.org/r.pdf"
    assert row["dispositifs"] == "France 2030"
    second_row = dict(zip(header, second, strict=True))
    assert second_row["titre"].startswith("'=")  # no formula in a spreadsheet
    assert second_row["date"] == "" and second_row["acteurs"] == ""
    data = to_csv([record()])
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[1][1] == "Rapport sur la filière"


def test_ris_records_read_back_as_written() -> None:
    entry = ris_entry(record())
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == "Rapport sur la filière" and entry["date"] == "2020/09/17/" and entry["year"] == "2020"
    assert entry["keywords"] == ["emploi", "France 2030"]  # subjects; who and where in fields of their own
    assert entry["custom1"] == "Acteurs : CGT ; Bpifrance" and entry["custom2"] == "Lieux : Isère"
    assert ris_entry(record(doc_type="article"))["type_of_reference"] == "NEWS"
    assert ris_entry(record(doc_type="tract"))["type_of_reference"] == "PAMP"
    assert ris_entry(record(publication="Le Progrès"))["secondary_title"] == "Le Progrès"
    assert "secondary_title" not in entry
    long_text = "L’usine de Pont-de-Claix ferme.\n" + "Les salariés manifestent devant la préfecture. " * 30
    abstract = ris_entry(record(text=long_text))["abstract"]
    assert abstract.startswith("L’usine de Pont-de-Claix ferme. Les salariés") and abstract.endswith(" …")
    assert len(abstract) <= 502 and "abstract" not in ris_entry(record(text=""))
    assert entry["urls"] == ["https://exemple.org/r.pdf"] and entry["notes"] == ["a/rapport.pdf"]
    assert ris_entry(record(doc_type="communiqué de presse"))["type_of_reference"] == "PRESS"
    assert ris_entry(record(doc_type="invitation"))["type_of_reference"] == "GEN"
    assert ris_entry(record(date="2026-03"))["date"] == "2026/03//"
    text = to_ris([record(), record(id="x", title="Deux\nlignes")]).decode()
    assert text.startswith("TY  - RPRT\r\n") and text.count("ER  - ") == 2 and "\n1." not in text
    read_back = rispy.loads(text)
    assert [r["id"] for r in read_back] == [record().id, "x"]
    assert read_back[1]["title"] == "Deux lignes"
    assert read_back[0]["keywords"] == entry["keywords"]


# -- URL state (pure) ---------------------------------------------------------------------------


def test_url_state_round_trip() -> None:
    params = {
        "vue": ["recherche"],
        "q": ["industrie"],
        "acteur": ["CGT", "CFDT"],
        "de": ["2020"],
        "a": ["2011"],
        "tri": ["date"],
        "page": ["2"],
        "doc": ["ABCDEF0123456789"],
    }
    state = UrlState.from_params(params)
    assert state.de == 2011 and state.a == 2020 and state.doc == "abcdef0123456789"
    assert state.request().filters == {"actor": ["CGT", "CFDT"]} and state.request().offset == 10
    again = UrlState.from_params({k: v if isinstance(v, list) else [v] for k, v in state.to_params().items()})
    assert again == state
    bad = UrlState.from_params({"vue": ["x"], "page": ["-3"], "tri": ["n'importe"], "doc": ["<script>"]})
    assert bad == UrlState()
    assert state.toggle("acteur", "CGT", on=False).filters == {"acteur": ("CFDT",)}
    assert "acteur=CFDT" in state.toggle("acteur", "CGT", on=False).link()


def test_outdated_index_stays_searchable_while_it_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import store
    from indexer.lock import is_locked

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    index_corpus(corpus, index)
    old = store.live_dir(index)
    store.write_json_atomic(old / store.META_FILE, {"index_version": "0.0"})  # as after an upgrade
    monkeypatch.setenv("ARCHIVE_CORPUS", str(corpus))
    monkeypatch.setenv("ARCHIVE_INDEX", str(index))
    monkeypatch.setenv("ARCHIVE_NER", "0")  # the rebuild, not entities, is tested: no spaCy load per worker
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    at = run(q="réindustrialisation")
    assert len(cards(at)) == 3  # answered from the old index, without waiting
    assert "Nouvelle version de l'index" in texts(at)
    deadline = time.monotonic() + 180  # a bound on the wait, not a speed claim: a loaded machine is slow
    while (store.live_dir(index) == old or is_locked(index)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.live_dir(index) != old and is_current_version(store.live_dir(index))


def _toggle_watcher_callback() -> None:
    """What a forged widget message would do: the toggle's callback with the toggle switched on."""
    import streamlit as st

    from ui.view_status import _on_watch_toggle

    st.session_state["w_watch"] = True
    _on_watch_toggle()


def test_the_watcher_toggle_checks_the_password_in_its_callback(env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The toggle is disabled without the password; its callback must refuse too, not rely on
    Streamlit (1.67) refusing changes to a disabled widget."""
    from ui.runtime import watcher

    monkeypatch.setenv("ARCHIVE_ADMIN_PASSWORD", "s3cret-é")
    assert run(vue="etat").toggle(key="w_watch").disabled
    at = AppTest.from_function(_toggle_watcher_callback, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    w = watcher()
    try:
        assert w is not None and not w.running
    finally:
        if w is not None and w.running:
            w.stop()


def _record_of(index: Path, doc_id: str) -> DocumentRecord | None:
    engine = open_engine(index)
    try:
        return engine.document(doc_id)
    finally:
        engine.close()


def test_a_decision_on_a_detected_actor_is_applied_by_the_server_not_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision's new analysis ran in the page: while another writer held the index the page
    hung (then gave up), and a click or a closed tab cancelled the analysis. Now the decision and
    the analysis are one job of the server's indexing thread: the page answers at once, cannot send
    the decision twice, and the job finishes with nobody looking."""
    from archive import gazetteer
    from indexer.lock import WriteLock

    corpus, index, vocab = tmp_path / "corpus", tmp_path / "index", tmp_path / "vocab"
    corpus.mkdir()
    (corpus / "zorglub.txt").write_text("La société Zorglub Industries ouvre une usine à Dunkerque.", encoding="utf-8")
    (corpus / "chimie.txt").write_text("Rien à signaler sur la filière chimie.", encoding="utf-8")
    shutil.copytree(gazetteer.VOCAB_DIR, vocab)  # the decision is written here, not in the project's
    for name, value in (("ARCHIVE_CORPUS", corpus), ("ARCHIVE_INDEX", index), ("ARCHIVE_VOCAB_DIR", vocab)):
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("ARCHIVE_NER", "0")  # « la société … » is a wording rule: no model needed
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    gazetteer.clear_caches()
    try:
        index_corpus(corpus, index)
        engine = open_engine(index)
        try:
            ((name, _, (doc,)),) = engine.detected_entities()
        finally:
            engine.close()
        assert name == "Zorglub Industries"

        lock = WriteLock(index, timeout=5, purpose="test : un autre processus écrit")
        lock.acquire()  # another writer (the watcher's batch, `archive index`) holds the index
        try:
            at = run(vue="verifier")
            assert "Zorglub Industries" in texts(at)
            # Its document by its title, not by an id a researcher cannot read.
            shown = _record_of(index, doc)
            assert shown is not None and f"[{shown.title[:20]}" in texts(at) and f"[{doc[:8]}]" not in texts(at)
            at.button(key="w_det_confirm_0").click().run()  # answers although the index is held
            assert not at.exception, [e.value for e in at.exception]
            job = at.session_state["job_review"]
            assert _server_jobs().get(job) is not None  # the server's queue, that the test can wait for
            assert "Vous pouvez continuer à naviguer" in texts(at)
            # No second decision while this one runs: its buttons are disabled, or the name is no
            # longer offered once the decision is recorded (the vocabulary is re-read at once).
            offered = [b for b in at.button if b.key in ("w_det_confirm_0", "w_det_reject_0")]
            assert all(b.disabled for b in offered), [(b.key, b.disabled) for b in offered]
            at.run()
            assert at.session_state["job_review"] == job
        finally:
            lock.release()
        # The tab is gone: the server's thread applies the decision anyway.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            record = _record_of(index, doc)
            if record is not None and not record.actors_detected:
                break
            time.sleep(0.5)
        assert record is not None and "Zorglub Industries" in record.actors and record.actors_detected == []
        decided = [d for d in gazetteer.load_decisions() if d["name"] == "Zorglub Industries"]
        assert [d["decision"] for d in decided] == ["confirmed"]
        assert (vocab / "actors.yaml").read_text(encoding="utf-8").count("Zorglub Industries") == 1
        # A page still open shows the outcome in French when it polls.
        until_job_done(at, "job_review")
        assert any("« Zorglub Industries » ajouté aux acteurs" in s.value for s in at.success), texts(at)
        assert any("1 document réanalysé" in s.value for s in at.success)
    finally:
        _wait_for_jobs()  # never let the server's thread write after the private gazetteer is gone
        monkeypatch.delenv("ARCHIVE_VOCAB_DIR")
        gazetteer.clear_caches()


def _server_jobs():
    from ui.runtime import index_jobs

    return index_jobs()


def _wait_for_jobs(timeout: float = 300) -> None:
    jobs = _server_jobs()
    deadline = time.monotonic() + timeout
    while jobs.busy() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_the_running_watcher_s_state_is_shown_in_french(env) -> None:
    from ui.runtime import watcher

    w = watcher()
    assert w is not None
    w.start()
    try:
        assert w.wait_idle(120), w.status
        at = run(vue="etat")
        assert any("État : **à jour**" in m.value for m in at.markdown), [m.value for m in at.markdown]
    finally:
        w.stop()


def test_timeline_axis_spans_2011_2026_with_empty_years(env) -> None:
    from ui.view_timeline import full_span

    _, index = env
    engine = open_engine(index)
    try:
        data = engine.timeline(SearchRequest("Basset"), granularity="year")
        months = engine.timeline(SearchRequest("Basset"), granularity="month")
    finally:
        engine.close()
    assert data.periods == ["2020"]  # the engine gives the years with hits
    drawn = full_span(data)
    assert drawn.periods == [str(y) for y in range(2011, 2027)]
    assert drawn.series["documents"][drawn.periods.index("2020")] == 1 and sum(drawn.series["documents"]) == 1
    assert full_span(data, 2018, 2022).periods == ["2018", "2019", "2020", "2021", "2022"]
    by_month = full_span(months)
    assert len(by_month.periods) == 16 * 12 and by_month.periods[0] == "2011-01"
    assert sum(by_month.series["documents"]) == sum(months.series["documents"])


def test_timeline_month_axis_labels_are_french(env) -> None:
    from ui.view_timeline import full_span, timeline_chart

    _, index = env
    engine = open_engine(index)
    try:
        months = full_span(engine.timeline(SearchRequest(), granularity="month"))
    finally:
        engine.close()
    spec = json.dumps(timeline_chart(months, False, None).to_dict(), ensure_ascii=False)
    assert "'janv. 2011'" in spec and "'avr. 2011'" not in spec  # each January only, in French


def test_a_timeline_split_by_actor_does_not_call_its_stacked_counts_documents(env) -> None:
    """By month and by actor, a bar of a month with 2 documents reached 12 on an axis called
    « Documents »: each document counts once per actor it names."""
    from ui.view_timeline import timeline_chart

    _, index = env
    engine = open_engine(index)
    try:
        plain = engine.timeline(SearchRequest(), granularity="year")
        by_actor = engine.timeline(SearchRequest(), granularity="year", split_by="actor", top=8)
    finally:
        engine.close()

    def y_title(data, compare: bool = False) -> str:
        return timeline_chart(data, compare, None).to_dict()["encoding"]["y"]["title"]

    assert y_title(plain) == "Documents"
    assert y_title(by_actor) != "Documents" and "chaque série" in y_title(by_actor)


def test_an_unreadable_upload_can_be_removed_from_the_status_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rejected upload (« en-tête %PDF absent ») stayed in corpus/uploads/ and in the list of
    unreadable files for good, with only « Réessayer ». An upload (a copy the app made) can now be
    removed; a file a researcher put in the corpus folder cannot."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    (corpus / "uploads").mkdir(parents=True)
    (corpus / "note.txt").write_text("Note sur la fonderie de Bretagne.", encoding="utf-8")
    (corpus / "uploads" / "x.pdf").write_bytes(b"ceci n'est pas un PDF" * 10)
    (corpus / "uploads" / "x.pdf.meta.yaml").write_text("title: Essai\n", encoding="utf-8")
    (corpus / "depose.pdf").write_bytes(b"pas un PDF non plus" * 10)
    for name, value in (("ARCHIVE_CORPUS", corpus), ("ARCHIVE_INDEX", index)):
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("ARCHIVE_NER", "0")
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.delenv("ARCHIVE_ADMIN_PASSWORD", raising=False)
    report = index_corpus(corpus, index)
    assert {f["path"] for f in report.failed} == {"uploads/x.pdf", "depose.pdf"}
    at = run(vue="etat")
    removable = [b for b in at.button if b.key and b.key.startswith("w_remove_")]
    assert [b.label for b in removable] == ["Retirer"]  # the upload only, not the researcher's file
    removable[0].click().run()
    until_job_done(at, "job_status")
    assert not (corpus / "uploads" / "x.pdf").exists() and not (corpus / "uploads" / "x.pdf.meta.yaml").exists()
    assert (corpus / "depose.pdf").exists()
    at = run(vue="etat")
    assert "uploads/x.pdf" not in texts(at) and "depose.pdf" in texts(at)


def test_cards_list_places_from_the_town_to_the_region() -> None:
    """Two cards listed the same places as « Isère, Auvergne-Rhône-Alpes, Pont-de-Claix » and
    « Pont-de-Claix, Isère, … »: the order a document named them in."""
    from ui.cards import most_specific_first

    wanted = ["Pont-de-Claix", "Isère", "Auvergne-Rhône-Alpes"]
    assert most_specific_first(["Isère", "Auvergne-Rhône-Alpes", "Pont-de-Claix"]) == wanted
    assert most_specific_first(["Auvergne-Rhône-Alpes", "Pont-de-Claix", "Isère"]) == wanted
    assert most_specific_first(["Lyon", "Grenoble", "Rhône"]) == ["Lyon", "Grenoble", "Rhône"]  # kept within a kind
