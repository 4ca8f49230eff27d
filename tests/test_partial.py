"""Partial matches: when they appear, what binds them, and how they are ranked."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_testing import ner_off

from archive.engine import open_engine
from archive.models import SearchRequest
from indexer.pipeline import index_corpus

COMMON = "L’usine de la vallée recrute ; l’emploi industriel progresse dans l’industrie locale."


def _docs() -> dict[str, str]:
    docs = {f"common_{i:02d}.txt": f"Note {i} sur la vallée\n\n{COMMON} Réunion numéro {i}." for i in range(6)}
    docs["two_common.txt"] = "Bilan annuel du bassin\n\nL’usine tourne et l’emploi se maintient, rien d’autre."
    docs["rare.txt"] = "Dossier Vallourec\n\nVallourec ferme son usine de Saint-Saulve, selon la direction."
    docs["both_a.txt"] = "Plan de relance du site\n\nLe plan de relance de la sidérurgie est signé."
    docs["both_b.txt"] = "Sidérurgie et relance\n\nUn autre plan de relance pour la sidérurgie lorraine."
    docs["relance_only.txt"] = "Relance de la consommation\n\nLa relance passe par les ménages."
    docs["cgt_usine.txt"] = "Tract CGT\n\nLa CGT défend l’usine et ses emplois contre la fermeture."
    docs["cfdt_usine.txt"] = "Tract CFDT\n\nLa CFDT défend l’usine contre la fermeture annoncée."
    return docs


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("partial")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in _docs().items():
        (corpus / name).write_text(text, encoding="utf-8")
    with ner_off():
        assert index_corpus(corpus, base / "index").failed == []
    eng = open_engine(base / "index")
    yield eng
    eng.close()


def run(engine, query: str, **kw):
    result = engine.search(SearchRequest(query=query, limit=20, with_snippets=False, **kw))
    assert result.error is None, result.error
    full = [Path(h.path).stem for h in result.hits if not h.partial]
    partial = [Path(h.path).stem for h in result.hits if h.partial]
    return result, full, partial


def test_a_rare_word_outranks_common_ones_among_partial_matches(engine) -> None:
    # No document holds the four words; « Vallourec » is in one document, the others in many.
    result, full, partial = run(engine, "Vallourec usine emploi recrute")
    assert result.total == 0 and full == []
    assert partial.index("rare") < partial.index("two_common")


def test_documents_holding_more_words_come_first_at_equal_rarity(engine) -> None:
    _, _, partial = run(engine, "usine emploi recrute Vallourec")
    common = [p for p in partial if p.startswith("common_")]
    # The common notes hold three of the four words, « two_common » two of them.
    assert common and partial.index(common[-1]) < partial.index("two_common")


def test_two_full_matches_are_followed_by_partial_ones(engine) -> None:
    result, full, partial = run(engine, "relance sidérurgie")
    assert result.total == 2 and sorted(full) == ["both_a", "both_b"]
    assert "relance_only" in partial
    assert result.hits[0].partial is False and result.hits[-1].partial is True


def test_an_actor_name_counts_as_a_word_for_partial_matches(engine) -> None:
    # « CGT » is an actor alias: it must not stop the partial matches from appearing.
    result, full, partial = run(engine, "CGT fermeture")
    assert full == ["cgt_usine"]
    assert "cfdt_usine" in partial


def test_field_searches_and_exclusions_bind_partial_matches(engine) -> None:
    result, full, partial = run(engine, "usine fermeture emploi -CFDT")
    assert "cfdt_usine" not in full + partial
    _, full, partial = run(engine, "titre:Tract usine Vallourec")
    assert set(full + partial) <= {"cgt_usine", "cfdt_usine"}
    assert full == [] and set(partial) == {"cgt_usine", "cfdt_usine"}


def test_one_word_has_no_partial_matches(engine) -> None:
    result, full, partial = run(engine, "sidérurgie")
    assert result.total == 2 and partial == []


def test_ten_full_matches_leave_no_room_for_partial_ones(engine) -> None:
    result, full, partial = run(engine, "usine")
    assert result.total >= 10 and partial == []
    result, full, partial = run(engine, "usine Vallourec emploi")
    assert result.total < 10 and partial


def test_partial_matches_are_not_counted_in_facets(engine) -> None:
    result, full, partial = run(engine, "relance sidérurgie")
    assert sum(result.facets["language"].values()) == result.total == 2
