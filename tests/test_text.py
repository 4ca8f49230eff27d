"""archive.text: the two folds, the calendar words, and the places that must fold alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from archive_testing import indexed

from archive import text
from archive.engine import SearchEngine
from archive.models import SearchRequest
from archive.text import fold_name, fold_words


def test_fold_name() -> None:
    assert fold_name("L\u2019ÉTAT\u00a0et  Pont-de-Claix") == "l'etat et pont de claix"
    assert fold_name("Île-de-France\u202f") == "ile de france"
    assert fold_name("cœur") == "coeur"
    assert fold_name("2011-2026") == "2011-2026"  # a hyphen between digits stays
    assert fold_name("Pont\u2011de\u2010Claix") == fold_name("PONT DE CLAIX") == "pont de claix"
    assert fold_name("Bpi\u00adfrance\u200b") == "bpifrance"
    assert fold_name("l`usine l´usine l\u02bcusine") == "l'usine l'usine l'usine"


def test_fold_words_keeps_hyphens_and_lines() -> None:
    assert fold_words("Compte-Rendu\n  Présents\u00a0: x") == "compte-rendu\n  presents : x"
    assert fold_words("Août, FÉVR., März") == "aout, fevr., marz"
    assert fold_words("l\u2019Œuvre") == "l'oeuvre"


def test_calendar_words_and_period() -> None:
    assert len(text.MONTHS) == len(text.MONTHS_SHORT) == len(text.ENGLISH_MONTHS) == 12
    assert len(text.WEEKDAYS) == len(text.ENGLISH_WEEKDAYS) == 7
    assert text.with_and_without_accents(("août", "mai")) == ("août", "aout", "mai")
    assert text.PERIOD == "2011–2026"
    assert text.in_period(2011) and text.in_period(2026) and not text.in_period(2010)


# --- one name fold for the facets: field search, filter box (test_app) and sort ----------

DOC = (
    "Le comité de suivi de la filière s'est réuni à Pont-de-Claix pour examiner la situation des usines "
    "de la plateforme chimique et les projets de modernisation des ateliers."
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    base = tmp_path_factory.mktemp("names")
    corpus, index = base / "corpus", base / "index"
    corpus.mkdir()
    (corpus / "note.txt").write_text(DOC + "\n", encoding="utf-8")
    # Two actors with the same count: the facet lists them by their name fold.
    (corpus / "note.txt.meta.yaml").write_text("actors: [Saint Louis Sucre, Saint-Gobain]\n", encoding="utf-8")
    with indexed(corpus, index) as eng:
        yield eng


def test_field_search_folds_a_place_name(engine: SearchEngine) -> None:
    for query in ('lieu:"pont de claix"', "lieu:Pont-de-Claix", 'lieu:"PONT DE CLAIX"'):
        result = engine.search(SearchRequest(query=query, with_snippets=False))
        assert result.total == 1, query


def test_facet_values_of_equal_count_sort_by_the_name_fold(engine: SearchEngine) -> None:
    # « saint gobain » < « saint louis sucre »; folding words only (hyphen kept) put
    # « saint-gobain » after « saint louis sucre » (a hyphen sorts after a space).
    actors = list(engine.search(SearchRequest(with_snippets=False)).facets["actor"])
    assert actors == ["Saint-Gobain", "Saint Louis Sucre"]
