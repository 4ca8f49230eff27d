"""What the search says back: how a query was understood, and what would find something."""

from __future__ import annotations

import pytest

from archive.engine import open_engine
from archive.models import SearchRequest
from indexer.pipeline import index_corpus

EMPTY = "Recherche vide : tous les documents sont listés."


def search(engine, query: str, **kw):
    result = engine.search(SearchRequest(query=query, limit=50, **kw))
    assert result.error is None, result.error
    return result


@pytest.mark.parametrize("query", ["((((", "*", "😀", "  ( ) "])
def test_a_query_without_words_lists_everything_and_says_so(seed_engine, query: str) -> None:
    result = search(seed_engine, query)
    assert result.total == search(seed_engine, "").total == 5
    assert result.notices == [EMPTY]


def test_the_empty_box_needs_no_notice(seed_engine) -> None:
    assert search(seed_engine, "").notices == []


def test_a_field_without_value_is_ignored_and_said(seed_engine) -> None:
    result = search(seed_engine, "acteur: Vencorex")
    assert result.notices == ["acteur: sans valeur, ignoré."]
    assert {h.id for h in result.hits} == {h.id for h in search(seed_engine, "Vencorex").hits}
    alone = search(seed_engine, "acteur:")
    assert alone.total == 5 and "acteur: sans valeur, ignoré." in alone.notices


def test_a_long_query_is_cut_at_a_word_with_a_notice(seed_engine) -> None:
    query = " ".join(["réindustrialisation"] * 40)  # 799 characters
    result = search(seed_engine, query)
    assert result.notices == ["Requête raccourcie à 500 caractères."]
    assert result.total == search(seed_engine, "réindustrialisation").total > 0


def test_an_unknown_facet_value_is_said(seed_engine) -> None:
    result = search(seed_engine, "lieu:Atlantide")
    assert result.total == 0
    assert result.notices == ["lieu:Atlantide : aucune valeur de ce nom dans l’archive."]


def test_a_place_named_only_through_the_roll_up_offers_the_place_search(seed_engine) -> None:
    # No seed writes « Auvergne-Rhône-Alpes », but the place facet rolls Pont-de-Claix up to it.
    result = search(seed_engine, "Auvergne-Rhône-Alpes")
    assert result.total == 0
    offered = {a.query: a for a in result.alternatives}
    assert "lieu:Auvergne-Rhône-Alpes" in offered
    place = search(seed_engine, "lieu:Auvergne-Rhône-Alpes")
    assert offered["lieu:Auvergne-Rhône-Alpes"].total == place.total > 0


def test_exclusions_that_remove_everything_are_explained(seed_engine) -> None:
    result = search(seed_engine, "Vencorex -Vencorex")
    n = search(seed_engine, "Vencorex").total
    assert result.total == 0 and n > 0
    said = "le seul document" if n == 1 else f"les {n} documents"
    assert result.notices == [f"Les mots exclus écartent {said} que « Vencorex » trouve sans eux."]
    assert "(s)" not in result.notices[0]


@pytest.mark.parametrize(("query", "op"), [("Vencorex OR", "OR"), ("AND Vencorex", "AND"), ("Vencorex NOT", "NOT")])
def test_a_dangling_operator_is_dropped_not_searched(seed_engine, query: str, op: str) -> None:
    result = search(seed_engine, query)
    assert result.notices == [f"« {op} » sans mot à relier, ignoré."]
    assert result.total == search(seed_engine, "Vencorex").total > 0


def test_the_exact_phrase_is_offered_when_syntax_hid_it(seed_engine) -> None:
    # `-de` was read as an exclusion; the phrase without the marker is what was meant.
    from archive.alternatives import alternatives

    counts = {'"semaine de l’industrie"': 3}
    offered = alternatives("semaine -de l’industrie", lambda q: counts.get(q, 0), lambda f, t: [])
    assert [(a.query, a.total, a.reason) for a in offered] == [('"semaine de l’industrie"', 3, "la phrase exacte")]
    assert alternatives("semaine industrie", lambda q: 3, lambda f, t: []) == []
    # An operator in capitals is meant: « industrie emploi » as a phrase would say the opposite.
    assert alternatives("industrie NOT emploi", lambda q: 3, lambda f, t: []) == []


def test_notices_reach_the_cli_json(seed_archive) -> None:
    import json

    from archive_testing import cli

    corpus, index, _ = seed_archive
    out = cli("search", "((((", "--index", str(index), "--corpus", str(corpus), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["notices"] == [EMPTY] and data["alternatives"] == []
    out = cli("search", "Auvergne-Rhône-Alpes", "--index", str(index), "--corpus", str(corpus), "--json")
    data = json.loads(out.stdout)
    assert [a["query"] for a in data["alternatives"]][:1] == ["lieu:Auvergne-Rhône-Alpes"]


def test_a_word_inside_an_actor_s_name_offers_that_actor(workspace) -> None:
    """« Mittal » found nothing while the actor facet's filter box found ArcelorMittal: a name
    typed in part now offers the actor whose name holds it."""
    corpus, index = workspace
    (corpus / "a.txt").write_text("ArcelorMittal ferme deux hauts-fourneaux à Florange.", encoding="utf-8")
    (corpus / "b.txt").write_text("ArcelorMittal investit à Dunkerque dans l'acier décarboné.", encoding="utf-8")
    index_corpus(corpus, index)
    engine = open_engine(index)
    try:
        result = search(engine, "Mittal")
        assert result.total == 0 and result.corrected is None
        assert [(a.query, a.total) for a in result.alternatives] == [("acteur:ArcelorMittal", 2)]
        assert search(engine, "Mit").alternatives == []  # too short: inside too many names
    finally:
        engine.close()
