"""Every facet of archive/facet_registry.py reaches every face of the archive.

Each check iterates the registry, so a facet added there and forgotten in one of the derived
views (URL state, query syntax, command line, HTTP API, saved-search links, badges, timeline
colours) fails here. The values come from the real seed index.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from api_server import running_server

from archive import veille
from archive.engine import SearchEngine
from archive.facet_registry import (
    ALL_OF,
    BY_NAME,
    COUNTED,
    FILTER_OPTIONS,
    IN_SIDEBAR,
    REGISTRY,
    TIMELINE_SPLITS,
    WITH_CHIPS,
)
from archive.lab import SavedSearch
from archive.models import FACETS, SearchRequest
from archive.text import fold_words as fold
from archive_cli.main import _parser, request_filters
from ui.state import FACET_LABELS, SPLITS, UrlState


def _state_of(link: str) -> UrlState:
    return UrlState.from_params(parse_qs(urlsplit(link).query))


def _one_value(engine: SearchEngine, facet: str) -> tuple[str, int]:
    counts = engine.facet_values(facet)
    assert counts, f"the seed archive has no value of {facet}: this test would check nothing"
    return next(iter(counts.items()))


def test_registry_names_are_unique() -> None:
    for attribute in ("name", "field", "param", "option", "chip"):
        given = [getattr(s, attribute) for s in REGISTRY if getattr(s, attribute) is not None]
        assert len(given) == len(set(given)), attribute
    typed = [fold(n) for s in REGISTRY for n in s.query_names]
    assert len(typed) == len(set(typed))


def test_every_counted_facet_is_counted_by_a_search(seed_engine: SearchEngine) -> None:
    assert FACETS == tuple(s.name for s in COUNTED)
    assert list(seed_engine.search(SearchRequest()).facets) == list(FACETS)


@pytest.mark.parametrize("spec", COUNTED, ids=lambda s: s.name)
def test_every_query_name_finds_the_facet_value(seed_engine: SearchEngine, spec) -> None:
    """`acteur:X`, `Acteurs:X`, `thème:X`, `theme:X`… find the documents tagged X."""
    value, count = _one_value(seed_engine, spec.name)
    for name in spec.query_names:
        for typed in {name, fold(name), name.upper()}:
            result = seed_engine.search(SearchRequest(query=f'{typed}:"{value}"', limit=100))
            assert result.error is None and result.notices == [], (typed, result.notices)
            assert result.total == count, typed
    unknown = seed_engine.search(SearchRequest(query=f"{spec.query_names[-1]}:zzzinconnu"))
    if spec.name == "year":
        assert unknown.error is not None and unknown.error.startswith("Année illisible")
    else:
        assert unknown.notices == [f"{spec.query_name}:zzzinconnu : aucune valeur de ce nom dans l’archive."]


@pytest.mark.parametrize("spec", FILTER_OPTIONS, ids=lambda s: s.name)
def test_every_filter_option_reaches_the_request(seed_engine: SearchEngine, spec) -> None:
    value, count = _one_value(seed_engine, spec.name)
    args = _parser().parse_args(["search", "", f"--{spec.option}", value])
    assert request_filters(args) == {spec.name: [value]}
    assert seed_engine.search(SearchRequest(filters=request_filters(args))).total == count


@pytest.mark.parametrize("spec", IN_SIDEBAR, ids=lambda s: s.name)
def test_every_sidebar_facet_round_trips_through_the_url(spec) -> None:
    state = UrlState.from_params({spec.param: ["Valeur"]})
    assert state.request().filters == {spec.name: ["Valeur"]}
    assert _state_of(state.link()) == state
    heading, label = FACET_LABELS[spec.param]
    assert (heading, label) == (spec.heading, spec.label)


@pytest.mark.parametrize("spec", ALL_OF, ids=lambda s: s.name)
def test_every_all_of_facet_is_offered_in_the_url_and_the_command_line(seed_engine: SearchEngine, spec) -> None:
    """« Toutes à la fois (ET) » (`tous=`) and `--all-of` come from the registry's `all_of` flag."""
    assert spec.param and spec.option, "an all-at-once facet is a sidebar facet and a filter option"
    state = UrlState.from_params({spec.param: ["A", "B"], "tous": [spec.param]})
    assert state.request().all_of == [spec.name] and _state_of(state.link()) == state
    assert state.all_at_once(spec.param, on=False).request().all_of == []
    args = _parser().parse_args(["search", "", f"--{spec.option}", "A", "--all-of", spec.option])
    assert args.all_of == [spec.name]
    values = list(seed_engine.facet_values(spec.name))[:2]
    assert len(values) == 2, f"the seed archive has fewer than two values of {spec.name}"
    each = [seed_engine.search(SearchRequest(filters={spec.name: [v]}, limit=50)).total for v in values]
    both = seed_engine.search(SearchRequest(filters={spec.name: values}, all_of=[spec.name], limit=50)).total
    assert both <= min(each)


def test_facets_without_all_of_are_not_offered_all_at_once() -> None:
    for spec in IN_SIDEBAR:
        if not spec.all_of:
            assert UrlState.from_params({spec.param: ["A", "B"], "tous": [spec.param]}).tous == ()
    with pytest.raises(SystemExit):
        _parser().parse_args(["search", "", "--all-of", "place"])


def test_a_saved_search_link_reopens_every_filter() -> None:
    """The feed's link back to the app carried no « dispositif » (its table of facets lacked it)."""
    filters = {s.name: [f"valeur {s.name}"] for s in IN_SIDEBAR}
    together = [spec.name for spec in ALL_OF]
    saved = SavedSearch(1, "veille", "industrie", filters, 2015, 2020, "date", all_of=together)
    reopened = _state_of(veille.search_link(saved))
    assert reopened.request().filters == filters and reopened.request().all_of == together
    assert (reopened.q, reopened.de, reopened.a, reopened.tri) == ("industrie", 2015, 2020, "date")
    described = veille.describe(saved)
    for spec in IN_SIDEBAR:
        assert f"{spec.query_name} : valeur {spec.name}" in described


def test_every_badge_kind_links_to_its_filter() -> None:
    from ui.cards import facet_badges, search_link

    for spec in WITH_CHIPS:
        assert _state_of(search_link(spec.name, "X")).request().filters == {spec.name: ["X"]}
    html = facet_badges(UrlState(), ["A"], ["T"], ["L"], schemes=["S"])
    assert all(f'class="arc-badge {spec.chip}"' in html for spec in WITH_CHIPS)


def test_every_timeline_split_has_a_url_value_and_a_label() -> None:
    from ui.view_timeline import SPLIT_LABELS

    assert [f for f in SPLITS.values() if f] == [s.name for s in TIMELINE_SPLITS]
    for param, facet in SPLITS.items():
        assert UrlState.from_params({"couleur": [param]}).couleur == param
        assert SPLIT_LABELS[param]
        if facet:
            assert BY_NAME[facet].label.lower() in SPLIT_LABELS[param]


@pytest.mark.slow
def test_the_api_answers_every_facet(seed_archive: tuple[Path, Path, SearchEngine]) -> None:
    corpus, index, engine = seed_archive
    with running_server(index, corpus) as url, httpx.Client(base_url=url, timeout=60) as api:
        for spec in COUNTED:
            got = api.get(f"/api/facets/{spec.name}")
            assert got.status_code == 200, got.text
            assert got.json()["facet"] == spec.name
            assert {v["value"]: v["count"] for v in got.json()["values"]} == engine.facet_values(spec.name)
        for spec in FILTER_OPTIONS:
            value, count = _one_value(engine, spec.name)
            got = api.get("/api/search", params={spec.option: value, "limit": 1})
            assert got.status_code == 200, got.text
            assert got.json()["total"] == count, spec.option
        for spec in ALL_OF:
            values = list(engine.facet_values(spec.name))[:2]
            got = api.get("/api/search", params={spec.option: values, "all_of": spec.option, "limit": 1})
            assert got.status_code == 200, got.text
            wanted = SearchRequest(filters={spec.name: values}, all_of=[spec.name])
            assert got.json()["total"] == engine.search(wanted).total, spec.option
        for spec in TIMELINE_SPLITS:
            got = api.get("/api/timeline", params={"split": spec.name, "top": 1})
            assert got.status_code == 200, got.text
