"""Named-entity recognition (« acteurs détectés »): filtering, storage, listing across the index.

The filtering logic is tested with a stand-in for spaCy, so these tests run without the
optional model; one test runs the real model when it is installed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from archive import gazetteer as g
from archive.engine import open_engine
from archive.models import SearchRequest
from indexer import entities, metadata


@dataclass
class Ent:
    text: str
    label_: str
    start_char: int
    end_char: int


class FakeNlp:
    """Labels the given surfaces wherever they occur, like spaCy's doc.ents."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def __call__(self, text: str):
        ents = []
        for surface, label in self.labels.items():
            start = text.find(surface)
            while start >= 0:
                ents.append(Ent(surface, label, start, start + len(surface)))
                start = text.find(surface, start + 1)
        ents.sort(key=lambda e: e.start_char)
        return type("Doc", (), {"ents": ents})()


TEXT = (
    "Le tribunal a validé la reprise par BorsodChem, filiale du chinois Wanhua.\n"
    "Selon Jean-Paul Durand, délégué CGT, Wanhua ne gardera que 54 salariés.\n"
    "Entrée en vigueur : immédiate.\n"
    "Rassemblement jeudi 21 novembre devant la préfecture de Grenoble.\n"
    "Le ministre de l'Industrie, Marc Ferracci, et la CGT. Le Centre national d'études spatiales observe.\n"
    "TotalEnergies and Mercedes-Benz ; Pacte de responsabilité ; la relocalisation ; la Relocalisation.\n"
)
LABELS = {
    "BorsodChem": "ORG",
    "Wanhua": "ORG",
    "Jean-Paul Durand": "PER",
    "CGT": "ORG",  # a gazetteer actor
    "Entrée": "ORG",  # a capitalised common word at a line start
    "Rassemblement jeudi 21 novembre": "ORG",  # a date inside
    "Grenoble": "ORG",  # a place
    "ministre de l'Industrie": "ORG",  # an office
    "Marc Ferracci": "PER",  # a gazetteer actor
    "Centre national d'études spatiales": "ORG",  # an institution with one capital
    "TotalEnergies and Mercedes-Benz": "ORG",  # a list
    "Pacte de responsabilité": "ORG",  # a policy
    "Relocalisation": "ORG",  # a theme word
    "Durand": "PER",  # a surname alone
}


def detect(text: str = TEXT, **kwargs) -> list[entities.Entity]:
    return entities.detect_entities(text, nlp=FakeNlp(LABELS), **kwargs)


def test_keeps_unknown_organisations_and_people_in_order() -> None:
    found = detect()
    assert [(e.name, e.kind) for e in found] == [
        ("BorsodChem", "organisation"),
        ("Wanhua", "organisation"),
        ("Jean-Paul Durand", "personne"),
        ("Centre national d'études spatiales", "organisation"),
    ]
    assert found[1].mentions == 2
    assert found[0].to_dict() == {"name": "BorsodChem", "kind": "organisation", "mentions": 1}


def test_known_spans_and_limits() -> None:
    start = TEXT.index("BorsodChem")
    found = detect(known_spans=[(start, start + 10)], limit=2)
    assert [e.name for e in found] == ["Wanhua", "Jean-Paul Durand"]


def test_only_french_and_never_without_text() -> None:
    assert detect(language="es") == []  # the French model also reads English and German names
    assert detect("") == []


def test_switched_off_or_missing_model_means_no_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")
    assert not entities.enabled() and not entities.available()
    assert entities.detect_entities(TEXT) == []


_REAL_DETECT = entities.detect_entities


def _fake_detect(text: str, **kwargs) -> list[entities.Entity]:
    return _REAL_DETECT(text, **{**kwargs, "nlp": FakeNlp(LABELS)})


def _index_records(index: Path, files: dict[str, str]) -> None:
    """Build records in this process (so that the stand-in model is used) and index them."""
    from archive import store
    from archive.engine import create_index, create_writer, new_generation
    from indexer.extract import Extraction

    generation = new_generation(index)
    create_index(generation)
    writer = create_writer(generation)
    for name, text in files.items():
        record = metadata.build_record(
            doc_id=name.split(".")[0],
            paths=[name],
            extraction=Extraction(text=text, pages=1, format="txt"),
            sidecar={},
            sha256="0" * 64,
            size=len(text),
        )
        writer.upsert(record)
    writer.commit()
    store.switch_to(index, generation)


def test_record_keeps_strong_detections_as_actors_and_the_rest_as_proposals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12, item 5: an actor found outside the gazetteer joins the actors (and
    actors_detected) when named in the title, the first paragraph or twice, or when the wording
    says it is a company (« BorsodChem, filiale de… ») or the model reads a person's full name;
    an organisation only the model read, once, deep in the body, stays a proposal."""
    monkeypatch.setattr(metadata.entities, "detect_entities", _fake_detect)
    filler = "Les salariés de la plateforme attendent la décision depuis des mois, sans visibilité. " * 8
    _index_records(
        tmp_path,
        {
            "a.txt": "Vencorex : la reprise\n\n" + filler + "\n\n" + TEXT,
            "b.txt": "Reprise\n\n" + "Le groupe chinois Wanhua rachète une partie de la société BorsodChem. " * 4,
            "c.txt": "Un texte sans entité, sur la CGT et l'emploi industriel en France. " * 3,
        },
    )
    engine = open_engine(tmp_path)
    try:
        record = engine.document("a")
        assert {"CGT", "Marc Ferracci", "Vencorex", "Wanhua"} <= set(record.actors)
        # Wanhua twice; BorsodChem once, far down, but a company by wording; Durand a person
        assert record.actors_detected == ["BorsodChem", "Wanhua", "Jean-Paul Durand"]
        assert set(record.actors_detected) <= set(record.actors)
        proposals = {p["name"]: p for p in record.detected_entities}
        assert proposals["Wanhua"]["mentions"] == 2 and proposals["Wanhua"]["evidence"] == "nommé 2 fois"
        assert proposals["BorsodChem"]["evidence"] == "société nommée"
        assert proposals["Jean-Paul Durand"]["evidence"] == "personne nommée"
        cnes = proposals["Centre national d'études spatiales"]  # the model's organisation, once, far down
        assert cnes["actor"] is False and cnes["evidence"] == ""
        assert engine.document("b").actors_detected == ["Wanhua", "BorsodChem"]
        listed = engine.detected_entities(limit=10)
        assert listed[:2] == [("BorsodChem", "organisation", ["a", "b"]), ("Wanhua", "organisation", ["a", "b"])]
        assert ("Jean-Paul Durand", "personne", ["a"]) in listed
        assert engine.detected_entities(limit=1) == listed[:1]
        hits = engine.search(SearchRequest(query="Wanhua")).hits
        assert {h.id: h.actors_detected for h in hits} == {
            "a": ["BorsodChem", "Wanhua", "Jean-Paul Durand"],
            "b": ["Wanhua", "BorsodChem"],
        }
    finally:
        engine.close()


def test_rules_find_companies_courts_and_people_without_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")
    text = (
        "Le tribunal de commerce de Lyon a validé la reprise de la société Zorbex par le groupe chinois "
        "Wanhua. Kelmar SAS ferme son site. Le PDG de Zorbex, Jean DUPONT, regrette. "
        "Marie Durand, déléguée CGT, dénonce."
    )
    found = entities.detect_actors(text, language="en")  # rules need no model, in any language
    assert found.actors == [
        "Tribunal de commerce de Lyon",
        "Zorbex",
        "Wanhua",
        "Kelmar",
        "Jean Dupont",
        "Marie Durand",
    ]
    assert {p["rule"] for p in found.proposals} == {"tribunal", "société", "forme juridique", "fonction"}


def test_names_wrapped_over_two_lines_of_a_pdf_column_are_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")
    text = (
        "Zorbex : la justice tranche\nCommuniqué de presse\n\n"
        "Trois jours plus tôt, jeudi 10 avril, le tribunal de commerce\n"
        "de Lyon avait retenu l'offre du repreneur, et l'administrateur\n"
        "judiciaire qu'il a désigné, Me Bruno Talon, a pris la gestion."
    )
    assert entities.unwrap_lines(text) == text.replace("commerce\nde", "commerce de").replace(
        "administrateur\njudiciaire", "administrateur judiciaire"
    )  # a title stays apart from the short line under it
    found = entities.detect_actors(text, language="fr")
    assert "Tribunal de commerce de Lyon" in found.actors
    assert "Bruno Talon" in found.actors  # « Me » (Maître) is not part of the name


def test_model_failure_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_text: str):
        raise MemoryError

    assert entities.detect_entities(TEXT, nlp=broken) == []


@pytest.mark.skipif(not entities.available(), reason="spaCy's French model is not installed (extra [ner])")
def test_real_model_proposes_unknown_companies() -> None:
    text = (
        "Le tribunal de Lyon a validé l'offre de BorsodChem, filiale hongroise du groupe chinois Wanhua. "
        "La CGT dénonce la décision. Le groupe thaïlandais PTT Global Chemical s'était retiré en 2024."
    )
    known = [(s, e) for _, s, e in g.find_actors(text).spans]
    names = {e.name for e in entities.detect_entities(text, known_spans=known)}
    assert "CGT" not in names
    assert names & {"BorsodChem", "Wanhua", "PTT Global Chemical"}


@pytest.mark.parametrize("day", ["Monday", "Sunday", "Samedi", "Août"])
def test_calendar_words_are_not_names(day: str) -> None:
    # The calendar words are archive.text's: the list here once stopped at Friday.
    def found(name: str) -> list[str]:
        text = f"Le {name} réunit les industriels de la vallée. Ensuite le {name} publie ses propositions.\n"
        return [e.name for e in entities.detect_entities(text, nlp=FakeNlp({name: "ORG"}))]

    assert found("Forum Club") == ["Forum Club"]
    assert found(f"{day} Club") == []


# -- the stop lists are data: archive/vocab/entities.yaml, or a lab's copy ----------------------

BUNDLED_LISTS = g.VOCAB_DIR / "entities.yaml"


def test_a_labs_own_stop_lists_are_used(lab_vocab: Path) -> None:
    assert [e.name for e in detect()][:2] == ["BorsodChem", "Wanhua"]  # no entities.yaml here: the bundled one
    bundled = BUNDLED_LISTS.read_text(encoding="utf-8")
    edited = bundled.replace("stop_names: [\n", "stop_names: [\n  borsodchem,\n").replace(
        "media_words: [\n", "media_words: [\n  Wanhua,\n"
    )
    assert edited.count("borsodchem") == 1 and edited.count("Wanhua") == 1
    (lab_vocab / "entities.yaml").write_text(edited, encoding="utf-8")
    assert [e.name for e in detect()] == ["Jean-Paul Durand", "Centre national d'études spatiales"]


def test_a_missing_stop_list_is_named(lab_vocab: Path) -> None:
    misspelt = BUNDLED_LISTS.read_text(encoding="utf-8").replace("not_organisations:", "not_organisation:")
    (lab_vocab / "entities.yaml").write_text(misspelt, encoding="utf-8")
    with pytest.raises(ValueError, match=r"entities.yaml: the list 'not_organisations' is missing"):
        detect()


def test_the_wording_rules_read_their_words_from_the_lab(lab_vocab: Path) -> None:
    from indexer.actor_rules import find_candidates

    text = "Le chantier est confié à Fincantieri SpA et à Chantiers Atlantique SAS."
    assert [(c.name, c.rule) for c in find_candidates(text)] == [("Chantiers Atlantique", "forme juridique")]
    bundled = BUNDLED_LISTS.read_text(encoding="utf-8")
    edited = bundled.replace("legal_forms: [\n", "legal_forms: [\n  SpA,\n").replace(
        "not_name_words: [\n", "not_name_words: [\n  Atlantique,\n"
    )
    (lab_vocab / "entities.yaml").write_text(edited, encoding="utf-8")
    assert [(c.name, c.rule) for c in find_candidates(text)] == [
        ("Fincantieri", "forme juridique"),
        ("Chantiers", "forme juridique"),  # a name does not end with a word that is not a name
    ]


# -- names the text does not use as actors ---------------------------------------------------------


def _actors(text: str, labels: dict[str, str], title: str = "") -> list[str]:
    from archive import gazetteer as gz

    spans = [(s, e) for _, s, e in gz.find_actors(text).spans]
    return entities.detect_actors(text, title=title, known_spans=spans, nlp=FakeNlp(labels)).actors


def test_an_outlets_masthead_is_not_an_actor() -> None:
    text = (
        "Dauphiné Éco – 27 février 2012\n\nPhotowatt : la reprise validée\n\n"
        "Le tribunal a validé la reprise de Photowatt par Zorbex Énergies. Zorbex Énergies investira."
    )
    labels = {"Dauphiné Éco": "ORG", "Zorbex Énergies": "ORG"}
    found = _actors(text, labels)
    assert "Zorbex Énergies" in found and "Dauphiné Éco" not in found
    # the masthead taken as the title (a title that is only the name) is no evidence either
    assert "Dauphiné Éco" not in _actors(text, labels, title="Dauphiné Éco")
    # a name alone on a first line and named again is an actor
    assert "Dauphiné Éco" in _actors(text + " Dauphiné Éco a répondu.", labels)


def test_a_ministers_field_and_parts_of_known_actors_are_not_actors() -> None:
    text = (
        "Rapport de la commission d'enquête\n\n"
        "Enregistré à la Présidence de l'Assemblée nationale le 19 avril 2018. "
        "Le ministre de l'Économie de l'époque a autorisé la vente d'Alcatel-Lucent. "
        "Deux anciens ministres de l'Économie ont été entendus. Alcatel a refusé."
    )
    labels = {"Présidence": "ORG", "Économie": "ORG", "Alcatel": "ORG"}
    assert _actors(text, labels) == []


def test_an_acronym_in_brackets_is_its_long_name() -> None:
    text = (
        "Zorbex finalise son rachat\n\n"
        "Le groupe Zorbex a finalisé l'opération avec la Caisse de dépôt et placement du Québec (CDPQ). "
        "La CDPQ devient le premier actionnaire."
    )
    found = _actors(text, {"CDPQ": "ORG"})
    assert "Caisse de dépôt et placement du Québec" in found and "CDPQ" not in found


def test_a_label_in_brackets_read_by_the_model_is_not_an_actor() -> None:
    text = (
        "Aides publiques : le rapport du Sénat\n\n"
        "Le rapporteur, Fabien Gay, et le président, Olivier Rietmann (Les Républicains, Haute-Saône), présentent."
    )
    labels = {"Républicains": "ORG", "Olivier Rietmann": "PER"}
    found = _actors(text, labels)
    assert "Olivier Rietmann" in found and "Républicains" not in found


def test_the_subject_of_a_headline_is_an_actor_even_unknown_to_the_model() -> None:
    text = (
        "Bouin : Lhyfe inaugure sa première usine d'hydrogène vert\n\n"
        "Lhyfe a mis en service son site de Bouin. Le norvégien Nel fournit les électrolyseurs."
    )
    found = _actors(text, {}, title="Bouin : Lhyfe inaugure sa première usine d'hydrogène vert")
    assert "Lhyfe" in found
    english = "Eastman picks Port-Jérôme for its plant\n\nEastman has chosen a plot in Normandy."
    assert "Eastman" in _actors(english, {}, title="Eastman picks Port-Jérôme for its plant")
    # a common word starting the headline is no name
    plain = "Le groupe annonce un plan\n\nLe groupe annonce 300 emplois."
    assert _actors(plain, {}, title="Le groupe annonce un plan") == []


def test_a_trade_name_and_a_shouted_reflexive_pronoun() -> None:
    from indexer.actor_rules import find_candidates

    names = [
        c.name
        for c in find_candidates(
            "Les Tissages de la Moselotte inaugurent une ligne. Volailles de la Reyssouze modernise."
        )
    ]
    assert "Tissages de la Moselotte" in names and "Volailles de la Reyssouze" in names
    shouted = "NAO 2024 : LES FLACONS SE VENDENT, LES SALAIRES DOIVENT SUIVRE !\nLa société Ferropem SAS a répondu."
    names = [c.name for c in find_candidates(shouted)]
    assert "LES FLACONS" not in names and "Ferropem" in names


def test_a_german_article_before_a_noun_is_no_name() -> None:
    text = "Heute kommt das Werk mit den Aufträgen kaum hinterher. Die Forges de Tarbes liefern an Zorbex Metall."
    found = [
        e.name
        for e in entities.detect_entities(
            text, language="de", nlp=FakeNlp({"den Aufträgen": "PER", "Zorbex Metall": "ORG"})
        )
    ]
    assert "den Aufträgen" not in found and "Aufträgen" not in found and "Zorbex Metall" in found


def test_a_headline_and_a_home_town_are_not_organisations() -> None:
    """Read as organisations by the model: a written question's headline (« Avenir des salariés de
    l'usine Buitoni ») and where a company is based (« the Kingsport, Tennessee-based maker »)."""
    question = (
        "Avenir des salariés de l'usine Buitoni de Caudry\n\n"
        "M. Patrick Verhaeghe attire l'attention du ministre sur la fermeture annoncée par Nestlé."
    )
    labels = {"Avenir des salariés de l'usine Buitoni": "ORG", "Patrick Verhaeghe": "PER"}
    found = _actors(question, labels, title="Avenir des salariés de l'usine Buitoni de Caudry")
    assert "Patrick Verhaeghe" in found and not any(name.startswith("Avenir") for name in found)
    english = (
        "Eastman picks Normandy for its plant\n\n"
        "Eastman said on Wednesday it had chosen the site. The Kingsport, Tennessee-based maker will invest "
        "up to $1bn. Kingsport remains its home."
    )
    found = _actors(english, {"Kingsport": "ORG"}, title="Eastman picks Normandy for its plant")
    assert "Eastman" in found and "Kingsport" not in found
    # an institution's long name keeps its common words
    court = "Le Tribunal de commerce de Chalon-sur-Saône a ouvert une procédure. Le Tribunal de commerce de Chalon-sur-Saône statuera."
    assert "Tribunal de commerce de Chalon-sur-Saône" in _actors(
        court, {"Tribunal de commerce de Chalon-sur-Saône": "ORG"}
    )
