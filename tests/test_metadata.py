"""The document record built from a text: date rule, events, places roll-up, provenance."""

from __future__ import annotations

import pytest

from indexer import metadata, titles
from indexer.extract import Extraction


def record(text: str, name: str = "doc.txt", sidecar: dict | None = None, monkeypatch=None):
    return metadata.build_record(
        doc_id="x",
        paths=[name],
        extraction=Extraction(text=text, pages=1, format="txt"),
        sidecar=sidecar or {},
        sha256="0" * 64,
        size=len(text),
    )


@pytest.fixture(autouse=True)
def _no_ner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")


TEXT = (
    "Communiqué de presse\n\nPont-de-Claix, le 17 septembre 2020\n\n"
    "La Métropole soutient la plateforme chimique de Pont de Claix. Le programme, lancé le "
    "22 novembre 2018, sera évalué le 3 mars 2021. Une réunion aura lieu le 17 septembre 2020 à Jarrie."
)


def test_date_rule_and_precision_are_recorded() -> None:
    rec = record(TEXT)
    assert (rec.date, rec.date_precision, rec.year) == ("2020-09-17", "day", 2020)
    assert rec.provenance["date"] == "extrait" and rec.provenance["date_rule"] == "header"
    assert record("Texte sans date.", name="2019-06-12_releve.txt").provenance["date_rule"] == "filename"
    assert record("Texte sans date.").provenance["date_rule"] == "none"
    side = record(TEXT, sidecar={"date": "2020-09"})
    assert (side.date, side.date_precision, side.provenance["date_rule"]) == ("2020-09", "month", "sidecar")


def test_out_of_range_date_is_kept_and_flagged() -> None:
    rec = record("Paris, le 9 février 2009\n\nLe pacte automobile est présenté.")
    assert rec.date == "2009-02-09" and rec.year == 2009
    assert any("hors de la période" in n for n in rec.notes)


def test_events_leave_out_the_documents_own_date() -> None:
    rec = record(TEXT)
    assert [e["date"] for e in rec.events] == ["2018-11-22", "2021-03-03"]
    assert all(e["context"] for e in rec.events)


def test_range_event_keeps_its_end() -> None:
    rec = record("Paris, le 3 janvier 2011\n\nLa semaine de l'industrie se tiendra du 4 au 11 avril 2011.")
    assert rec.events == [{"date": "2011-04-04", "context": rec.events[0]["context"], "end": "2011-04-11"}]


def test_places_roll_up_but_details_keep_what_was_named() -> None:
    rec = record(TEXT)
    assert rec.places == ["Pont-de-Claix", "Isère", "Auvergne-Rhône-Alpes", "Jarrie"]
    assert [d["name"] for d in rec.place_details] == ["Pont-de-Claix", "Jarrie"]
    assert rec.place_details[0] == {
        "name": "Pont-de-Claix",
        "kind": "commune",
        "department": "Isère",
        "region": "Auvergne-Rhône-Alpes",
    }


def test_sidecar_places_roll_up_too() -> None:
    rec = record("Un texte.", sidecar={"places": ["Roussillon"]})
    assert rec.places == ["Roussillon", "Isère", "Auvergne-Rhône-Alpes"]
    assert rec.provenance["places"] == "fiche"


def test_place_inside_a_company_name_is_not_named() -> None:
    rec = record("Le syndicat CGT de Ford Aquitaine Industries appelle à la grève à Blanquefort.")
    assert "Ford" in rec.actors
    assert [d["name"] for d in rec.place_details] == ["Blanquefort"]
    assert rec.places == ["Blanquefort", "Gironde", "Nouvelle-Aquitaine"]


def test_theme_evidence_explains_each_theme() -> None:
    rec = record(TEXT)
    assert 1 <= len(rec.themes) <= 3
    assert set(rec.themes) == set(rec.theme_evidence)
    assert all(rec.theme_evidence[t] for t in rec.themes)


def test_no_detected_entities_without_the_model() -> None:
    assert record(TEXT).detected_entities == []


def test_pdf_printed_today_does_not_date_the_document(tmp_path) -> None:
    """Issue 12: « Imprimer en PDF » stamps the day the file was made; with no date in the
    text the document stays undated rather than taking that day."""
    import time as _time

    from indexer.extract import extract
    from pdfgen import make_pdf

    today = _time.strftime("D:%Y%m%d%H%M%S")
    path = make_pdf(tmp_path / "page.pdf", ["Un article sans date sur l'usine."], creation_date=today)
    rec = metadata.build_record(
        doc_id="x", paths=[path.name], extraction=extract(path), sidecar={}, sha256="0" * 64, size=1
    )
    assert (rec.date, rec.provenance["date_rule"]) == (None, "none")
    dated = make_pdf(tmp_path / "old.pdf", ["Un article sans date sur l'usine."], creation_date="D:20190506100000")
    rec = metadata.build_record(
        doc_id="x", paths=[dated.name], extraction=extract(dated), sidecar={}, sha256="0" * 64, size=1
    )
    assert (rec.date, rec.provenance["date_rule"]) == ("2019-05-06", "pdf")


@pytest.mark.parametrize(
    "text",
    [
        "GRENOBLE (AFP) — 12 mars 2019\nLa plateforme chimique menacée\nLe texte de l'article.",
        "Lyon, le 12 mars 2019 –\nLa plateforme chimique menacée\nLe texte de l'article.",
        "Par Jean Dupont, publié le 12 mars 2019\nLa plateforme chimique menacée\nLe texte.",
    ],
)
def test_a_dateline_is_never_a_title(text: str) -> None:
    assert metadata.guess_title(text, None, "x") == "La plateforme chimique menacée"


@pytest.mark.parametrize(
    "masthead",
    [
        "La Voix du Nord",
        "L’Usine Nouvelle | Industrie",
        "LE PROGRÈS",
        "Ouest-France – Économie",
        "Les Échos • Industrie",
    ],
)
def test_a_masthead_is_never_a_title(masthead: str) -> None:
    text = f"{masthead}\nLa plateforme chimique menacée\nLe texte de l'article."
    assert metadata.guess_title(text, None, "x") == "La plateforme chimique menacée"


def test_the_masthead_names_the_publication_and_a_sidecar_overrides_it() -> None:
    text = "LA VOIX DU NORD | Économie\nLa plateforme chimique menacée\nLe texte de l'article."
    assert record(text).publication == "La Voix du Nord"
    assert record(text, sidecar={"publication": "Nord Éclair"}).publication == "Nord Éclair"
    assert record("La plateforme chimique menacée\nLe Monde en parle.").publication is None


def test_the_masthead_list_is_read_once_not_per_document() -> None:
    assert titles._mastheads() is titles._mastheads()  # a YAML parse per line cost 7 ms a document


def test_a_title_that_only_begins_with_an_outlet_name_is_kept() -> None:
    text = "Le Monde de l’industrie face à la crise\nLe texte de l'article."
    assert metadata.guess_title(text, None, "x") == "Le Monde de l’industrie face à la crise"


def test_a_place_inside_a_company_name_found_by_rule_is_not_a_place() -> None:
    rec = record("Reprise de la société Ardennes Forge\n\nLa société Ardennes Forge, à Lille, est reprise.")
    assert [p["name"] for p in rec.place_details] == ["Lille"]


def test_a_company_named_once_as_an_example_is_not_an_actor() -> None:
    text = (
        "Valdunes retrouve un repreneur\n\n"
        "Le fabricant de roues ferroviaires Valdunes a été repris mardi à Trith-Saint-Léger. "
        "Ses clients historiques, comme la SNCF, se sont tournés vers d'autres fournisseurs. "
        "Engie fournira l'électricité du site et Engie a signé un contrat de dix ans."
    )
    actors = record(text).actors
    assert "SNCF" not in actors  # named once, as an example
    assert "Engie" in actors  # named twice: an actor
    assert "SNCF" in record(text.replace("comme la SNCF", "la SNCF")).actors
