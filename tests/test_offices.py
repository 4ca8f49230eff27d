"""Offices named by title resolve to their holder at the document's date (issue 12, item 3)."""

from __future__ import annotations

from datetime import date

import pytest

from archive import gazetteer, offices
from indexer import metadata
from indexer.extract import Extraction


@pytest.fixture(autouse=True)
def _no_ner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")


def _record(text: str):
    return metadata.build_record(
        doc_id="x",
        paths=["doc.txt"],
        extraction=Extraction(text=text, pages=1, format="txt"),
        sidecar={},
        sha256="0" * 64,
        size=len(text),
    )


@pytest.mark.parametrize(
    ("office", "day", "expected"),
    [
        ("président", date(2012, 5, 14), "Nicolas Sarkozy"),
        ("président", date(2012, 5, 16), "François Hollande"),
        ("président", date(2019, 1, 1), "Emmanuel Macron"),
        ("premier ministre", date(2014, 4, 1), "Manuel Valls"),
        ("premier ministre", date(2024, 10, 1), "Michel Barnier"),
        ("économie", date(2015, 6, 1), "Emmanuel Macron"),
        ("économie", date(2025, 3, 1), "Éric Lombard"),
        ("industrie", date(2013, 2, 1), "Arnaud Montebourg"),
        ("industrie", date(2021, 2, 1), "Agnès Pannier-Runacher"),
        ("industrie", date(2017, 7, 1), None),  # no minister for industry that summer
        ("travail", date(2019, 3, 12), "Muriel Pénicaud"),
        ("travail", date(2023, 3, 1), "Olivier Dussopt"),
        ("écologie", date(2021, 2, 2), "Barbara Pompili"),
        ("armées", date(2013, 1, 10), "Jean-Yves Le Drian"),
        ("armées", date(2023, 6, 1), "Sébastien Lecornu"),
        ("agriculture", date(2021, 4, 9), "Julien Denormandie"),
        ("transition énergétique", date(2022, 11, 9), "Agnès Pannier-Runacher"),
    ],
)
def test_holder_at_a_date(office: str, day: date, expected: str | None) -> None:
    assert offices.holder(office, day) == expected


def test_every_holder_is_a_gazetteer_person_and_terms_follow_each_other() -> None:
    for item in gazetteer._load_yaml("offices.yaml"):
        previous = None
        for term in item["holders"]:
            assert gazetteer.actor_kind(term["name"]) == "personnalités", term["name"]
            if previous is not None:
                assert previous["to"] <= term["from"], (item["key"], term)
            previous = term


def test_office_in_a_dated_text_is_its_holder_not_the_institution() -> None:
    rec = _record(
        "Paris, le 12 mars 2013\n\nLe ministre du Redressement productif a reçu les syndicats. "
        "Le président de la République s'est exprimé."
    )
    assert "Arnaud Montebourg" in rec.actors and "François Hollande" in rec.actors
    assert "Ministère du Redressement productif" not in rec.actors
    assert "Présidence de la République" not in rec.actors


def test_institution_acting_is_kept_and_former_holders_are_not_resolved() -> None:
    rec = _record("Paris, le 3 mai 2021\n\nMatignon a arbitré. L'ancien Premier ministre a réagi.")
    assert rec.actors == ["Premier ministre"]


def test_title_followed_by_a_name_is_that_person() -> None:
    rec = _record("Paris, le 3 mai 2013\n\nLe Premier ministre, Jean Castex, a visité l'usine.")
    assert "Jean Castex" in rec.actors and "Jean-Marc Ayrault" not in rec.actors
    assert "Premier ministre" not in rec.actors


def test_undated_or_ambiguous_period_keeps_the_institution() -> None:
    assert "Premier ministre" in _record("Le Premier ministre a visité l'usine.").actors
    rec = _record("Rapport 2024\n\nLe Premier ministre a visité l'usine en 2024.")
    assert rec.date == "2024" and "Premier ministre" in rec.actors
    assert not {"Gabriel Attal", "Michel Barnier", "François Bayrou"} & set(rec.actors)


@pytest.mark.parametrize(
    "sentence",
    [
        # a holder of another time, named after the title
        "Le ministre de l’Économie de l’époque, Arnaud Montebourg, a signé le décret.",
        # the title of another office: the secretary of State is the one acting
        "La secrétaire d’État auprès du ministre de l’Économie, Agnès Pannier-Runacher, a commandé un audit.",
    ],
)
def test_a_title_that_is_not_the_holder_at_the_documents_date(sentence: str) -> None:
    rec = _record(f"Amiens, le 31 juillet 2019\n\n{sentence}")
    assert "Bruno Le Maire" not in rec.actors  # minister of the economy on that day
    assert "Ministère de l'Économie" not in rec.actors


def test_a_region_that_only_titles_its_named_president_is_not_an_actor() -> None:
    both = "Bordeaux, le 13 décembre 2018\n\nFord refuse le repreneur\n\nLe président de la Région Nouvelle-Aquitaine, Alain Rousset, parle de mépris."
    rec = _record(both)
    assert "Alain Rousset" in rec.actors and "Région Nouvelle-Aquitaine" not in rec.actors
    after = "Bordeaux, le 13 décembre 2018\n\nFord refuse le repreneur\n\nAlain Rousset, président de la Région Nouvelle-Aquitaine, parle de mépris."
    assert "Région Nouvelle-Aquitaine" not in _record(after).actors
    acting = both + " La Région Nouvelle-Aquitaine a voté une aide."
    assert "Région Nouvelle-Aquitaine" in _record(acting).actors


def test_a_lab_folder_made_before_offices_and_schemes_existed_still_works(tmp_path, monkeypatch) -> None:
    """A lab's vocabulary folder copied before offices.yaml (or schemes.yaml, doc_types.yaml) joined
    archive/vocab/ made every document fail with FileNotFoundError: a missing file is read from the
    bundled folder, while the files the app writes (actors.yaml) stay the lab's."""
    from archive import schemes

    (tmp_path / "actors.yaml").write_bytes((gazetteer.VOCAB_DIR / "actors.yaml").read_bytes())
    monkeypatch.setenv("ARCHIVE_VOCAB_DIR", str(tmp_path))
    gazetteer.clear_caches()
    offices._offices.cache_clear()
    try:
        assert offices.holder("président", date(2013, 5, 1)) == "François Hollande"
        assert gazetteer.theme_labels() and gazetteer.place_info("Pont-de-Claix") is not None
        assert "France 2030" in [s.name for s in schemes.schemes()]
        record = _record("Le 4 juin 2019, le Premier ministre a présenté le plan hydrogène à Belfort.")
        assert "Édouard Philippe" in record.actors
    finally:
        gazetteer.clear_caches()


@pytest.mark.parametrize(
    ("sentence", "day", "holder"),
    [
        ("The French industry minister welcomed the choice of Dunkirk.", "2023-05-15", "Roland Lescure"),
        ("France's economy minister said the state would help.", "2019-03-01", "Bruno Le Maire"),
        (
            "Le ministre de l'Agriculture et de l'Alimentation a visité vendredi l'abattoir.",
            "2021-04-09",
            "Julien Denormandie",
        ),
        ("La ministre de la Transition énergétique s'est rendue à Lumbres.", "2022-11-09", "Agnès Pannier-Runacher"),
    ],
)
def test_offices_of_other_portfolios_and_in_english_are_their_holders(sentence: str, day: str, holder: str) -> None:
    assert [m.holder for m in offices.mentions(sentence, day)] == [holder]


def test_an_english_title_of_someone_else_is_no_office() -> None:
    assert offices.mentions("The president of the company said the plant would close.", "2023-05-15") == []


def test_an_office_in_a_sentence_dated_otherwise_is_its_holder_on_that_date() -> None:
    """Seed 004, dated September 2020: « Lancé par le Premier ministre le 22 novembre 2018 » is Édouard
    Philippe, not the Prime Minister of the document's date (Jean Castex)."""
    rec = _record(
        "Visite du programme Territoires d'industrie, Grenoble, le 21 septembre 2020.\n\n"
        "Lancé par le Premier ministre le 22 novembre 2018, le programme accompagne 148 territoires."
    )
    assert rec.date == "2020-09-21"
    assert "Édouard Philippe" in rec.actors and "Jean Castex" not in rec.actors
