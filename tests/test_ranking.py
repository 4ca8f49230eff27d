"""Relevance: title above body, words close together first, partial matches after full ones."""

from __future__ import annotations

import pytest

from archive.engine import open_engine
from archive.models import SearchRequest
from indexer.pipeline import index_corpus

FILLER = " ".join(["Le conseil a examiné plusieurs dossiers de la semaine."] * 12)


@pytest.fixture(scope="module")
def ranking_engine(tmp_path_factory):
    base = tmp_path_factory.mktemp("ranking")
    corpus = base / "corpus"
    corpus.mkdir()
    docs = {
        # Same words, same length: only their distance differs.
        "near.txt": f"Compte rendu\n{FILLER} transition énergétique fonderies. {FILLER} alpha bêta gamma. {FILLER}",
        "far.txt": f"Compte rendu\n{FILLER} transition alpha bêta. {FILLER} énergétique gamma fonderies. {FILLER}",
        "title.txt": f"Fonderies : la relance\n{FILLER} Un mot sur les fonderies. {FILLER}",
        "body.txt": f"Compte rendu de séance\n{FILLER} Un mot sur les fonderies. {FILLER}",
        "other.txt": f"Note\n{FILLER} La sidérurgie lorraine et ses hauts fourneaux. {FILLER}",
    }
    for name, text in docs.items():
        (corpus / name).write_text(text, encoding="utf-8")
    index_corpus(corpus, base / "index")
    engine = open_engine(base / "index")
    yield engine
    engine.close()


def paths(engine, query: str) -> list[str]:
    return [h.path for h in engine.search(SearchRequest(query=query, limit=10)).hits]


def test_words_close_together_rank_first(ranking_engine) -> None:
    order = paths(ranking_engine, "transition énergétique fonderies")
    assert order[:2] == ["near.txt", "far.txt"]


def test_title_outweighs_body(ranking_engine) -> None:
    order = paths(ranking_engine, "fonderies")
    assert order.index("title.txt") < order.index("body.txt")


def test_partial_matches_come_after_full_and_outside_counts(ranking_engine) -> None:
    result = ranking_engine.search(SearchRequest(query="fonderies sidérurgie", limit=10))
    assert result.total == 0
    assert {h.path for h in result.hits} >= {"other.txt", "title.txt"}
    assert all(h.partial for h in result.hits)
    result = ranking_engine.search(SearchRequest(query="transition fonderies", limit=10))
    full = [h for h in result.hits if not h.partial]
    assert [h.path for h in full] == ["near.txt", "far.txt"] and result.total == 2
    partial = [h.path for h in result.hits if h.partial]
    assert partial and "other.txt" not in partial  # no word in common: not a partial match
    assert result.hits.index(full[-1]) < result.hits.index(next(h for h in result.hits if h.partial))


def test_off_topic_question_does_not_inflate_counts(ranking_engine) -> None:
    result = ranking_engine.search(SearchRequest(query="quelle est la politique spatiale du Japon", limit=10))
    assert result.total == 0
    assert sum(sum(c.values()) for c in result.facets.values()) == 0


@pytest.mark.parametrize(
    ("positions", "width"),
    [
        ([[3], [4], [5]], 2),
        ([[0, 40], [38], [45]], 7),
        ([[1], []], None),
        ([[10, 2], [9]], 1),
    ],
)
def test_closest_window(positions, width) -> None:
    from archive.search_logic.proximity import closest_window

    assert closest_window(positions) == width


def test_no_partial_matches_when_ten_documents_match(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(12):
        (corpus / f"full{i}.txt").write_text(
            f"Note {i}\nLes fonderies et la sidérurgie, dossier {i}.", encoding="utf-8"
        )
    (corpus / "partial.txt").write_text("Note\nLes fonderies seulement.", encoding="utf-8")
    index_corpus(corpus, tmp_path / "index")
    engine = open_engine(tmp_path / "index")
    last_page = engine.search(SearchRequest(query="fonderies sidérurgie", limit=10, offset=10))
    engine.close()
    assert last_page.total == 12
    assert [h.partial for h in last_page.hits] == [False, False]


def test_a_quoted_phrase_stays_within_a_sentence_or_list_item(tmp_path) -> None:
    """A phrase matched across a break: « … en France\n- Relancer la production » was found by
    "France Relance", and « … à Lyon. Industrie … » by "Lyon industrie"."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {
        "liste.txt": "Nos demandes\n\nUne industrie forte en France\n- Relancer la production\n• Former les jeunes",
        "phrases.txt": "Compte rendu\n\nLa réunion s'est tenue à Lyon. Industrie et emploi étaient au menu.",
        "paragraphes.txt": "Bilan\n\nLe site ferme à Caudry\n\nUsine neuve ailleurs, dit la direction.",
        "ensemble.txt": "Note\n\nLe plan France Relance soutient Lyon industrie et la Caudry usine du groupe.",
    }
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    index_corpus(corpus, tmp_path / "index")
    engine = open_engine(tmp_path / "index")
    try:
        for phrase in ('"France Relance"', '"Lyon industrie"', '"Caudry usine"'):
            assert paths(engine, phrase) == ["ensemble.txt"], phrase
        assert sorted(paths(engine, "France relancer")) == ["ensemble.txt", "liste.txt"]  # unquoted: both
        assert paths(engine, '"relancer la production"') == ["liste.txt"]  # stop words inside still match
    finally:
        engine.close()


def test_documents_tagged_with_the_named_scheme_come_before_those_holding_its_words(tmp_path) -> None:
    """« France Relance »: the note on the plan de relance (tagged with the scheme) before a tract
    that says « France » seven times and « Relancer la production » (seen by a new user)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "made.txt").write_text(
        "Made in France !\n\nLe 26 mars 2026, le syndicat réclame une industrie forte en France.\n"
        "- Relancer la production en France\n- Produire en France ce que la France consomme\n"
        "La France a perdu ses usines ; la France doit les reconstruire. " + FILLER,
        encoding="utf-8",
    )
    (corpus / "visite.txt").write_text(
        "Visite du directeur du programme à Alès\n\nAlès, le 17 septembre 2020. Au titre des objectifs "
        "du plan de relance, l'agglomération reçoit la visite officielle du directeur. " + FILLER,
        encoding="utf-8",
    )
    for n in range(18):
        words = "la France et ses régions" if n % 3 == 0 else "les fonderies et leurs salariés"
        (corpus / f"autre-{n}.txt").write_text(f"Note {n}\n\nLe 3 mai 2019, {words}. {FILLER}", encoding="utf-8")
    index_corpus(corpus, tmp_path / "index")
    engine = open_engine(tmp_path / "index")
    try:
        tagged = engine.search(SearchRequest(query='dispositif:"France Relance"', limit=5))
        assert [h.path for h in tagged.hits] == ["visite.txt"]  # the scheme read from « plan de relance » in 2020
        assert paths(engine, "France Relance")[:2] == ["visite.txt", "made.txt"]
        # Quoted, the words must follow each other within a list item or sentence: « en France\n-
        # Relancer » is no « France Relance ».
        assert paths(engine, '"France Relance"') == ["visite.txt"]
    finally:
        engine.close()
