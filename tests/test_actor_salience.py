"""Which names a document contains are its actors (issue 12, fourth round): salience by position,
evidence recorded for each detected actor, and the wording rules that say a name is a company.

The model is replaced by a stand-in (``FakeNlp`` of test_entities) or switched off, so these tests
do not need spaCy's French model."""

from __future__ import annotations

import pytest
from test_entities import FakeNlp

from archive import gazetteer, offices
from indexer import actor_salience, entities, metadata
from indexer.actor_rules import find_candidates
from indexer.extract import Extraction

FILLER = "Les salariés attendent une décision sur l'avenir du site depuis plusieurs mois. "


@pytest.fixture(autouse=True)
def _no_ner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")


def record(text: str, name: str = "doc.txt"):
    return metadata.build_record(
        doc_id="x",
        paths=[name],
        extraction=Extraction(text=text, pages=1, format="txt"),
        sidecar={},
        sha256="0" * 64,
        size=len(text),
    )


def detected(text: str, labels: dict[str, str] | None = None, title: str = "") -> entities.Detected:
    spans = [(s, e) for _, s, e in gazetteer.find_actors(text).spans]
    return entities.detect_actors(text, title=title, known_spans=spans, nlp=FakeNlp(labels or {}))


def rules(text: str) -> list[tuple[str, str]]:
    return [(c.name, c.rule) for c in find_candidates(text)]


# -- position: the tail of a text ---------------------------------------------------------------


def test_the_tail_is_the_last_eighth_of_a_long_enough_text() -> None:
    text = ("Une phrase de huit mots pour remplir le texte. " * 40)[:1600] + "   \n  "
    # trailing blanks (a masked footer) are not text
    assert actor_salience.tail_start(text) == 1400
    assert actor_salience.only_in_tail([1450], text)
    assert not actor_salience.only_in_tail([1350], text)
    assert not actor_salience.only_in_tail([100, 1450], text)  # named twice
    assert actor_salience.tail_start(text[:500]) == 500  # a short text has no tail


def test_an_organisation_named_once_at_the_end_is_not_an_actor() -> None:
    body = "Vallourec ferme son usine de Saint-Saulve. " + FILLER * 18
    ending = "Sur le terrain, la CFDT reste méfiante."
    actors = record("Fermeture à Saint-Saulve\n\n" + body + "\n\n" + ending).actors
    assert "Vallourec" in actors and "CFDT" not in actors
    # the same sentence early in the text, or in the title, keeps it
    assert "CFDT" in record("Fermeture à Saint-Saulve\n\n" + ending + " " + body).actors
    assert "CFDT" in record("La CFDT et la fermeture\n\n" + body + "\n\n" + ending).actors


def test_a_tract_or_an_invitation_ends_with_its_organisers() -> None:
    body = "Vallourec ferme son usine de Saint-Saulve. " + FILLER * 18
    ending = "Les militants de la CFDT sont invités à se rapprocher de leur section."
    text = "Tous à Saint-Saulve !\n\n" + body + "\n\n" + ending
    assert "CFDT" not in record(text).actors
    tract = record(text, name="tract-cfdt-saint-saulve.txt")
    assert tract.doc_type == "tract" and "CFDT" in tract.actors


def test_a_person_and_a_signature_at_the_end_stay_actors() -> None:
    body = "Vallourec ferme son usine de Saint-Saulve. " + FILLER * 18
    text = (
        "Fermeture à Saint-Saulve\n\n" + body + "\n\nBruno Le Maire a promis un repreneur.\n\n"
        "Syndicat CGT Vallourec Saint-Saulve\n"
    )
    actors = record(text).actors
    assert "Bruno Le Maire" in actors  # a person is not judged by position
    assert "CGT" in actors  # the union signs the tract
    assert actor_salience.in_signature(text, text.index("Syndicat CGT"))
    assert not actor_salience.in_signature(text, text.index("Bruno Le Maire"))


def test_a_detected_organisation_named_once_at_the_end_is_a_proposal_only() -> None:
    text = "Reprise à Trith\n\n" + FILLER * 20 + "\n\nLa société Zorbex s'est aussi portée candidate."
    found = detected(text)
    assert "Zorbex" not in found.actors
    assert [p["actor"] for p in found.proposals if p["name"] == "Zorbex"] == [False]
    assert "Zorbex" in detected(text.replace("\n\nLa société", "\n\nLa société Zorbex. La société")).actors


# -- evidence recorded with each detected actor -------------------------------------------------


def test_a_person_the_model_names_once_deep_in_the_body_is_an_actor() -> None:
    text = "Reprise à Trith\n\n" + FILLER * 5 + "\n\n" + FILLER * 3
    text += "Le ministre de la Santé, François Kelmar, doit publier la liste.\n\n" + FILLER * 4
    found = detected(text, {"François Kelmar": "PER", "Zorbex Énergies": "ORG"})
    assert found.actors == ["François Kelmar"]
    assert {p["name"]: p["evidence"] for p in found.proposals} == {"François Kelmar": "personne nommée"}


def test_evidence_says_why_a_detected_name_is_an_actor() -> None:
    text = "Zorbex rachète Kelmar\n\nLe groupe Zorbex a repris Kelmar Industries. " + FILLER * 5
    text += "\n\n" + FILLER * 3 + "Dorvane SAS suit.\n\n" + FILLER * 4
    found = detected(
        text, {"Zorbex": "ORG", "Kelmar Industries": "ORG", "Arvelle": "ORG"}, title="Zorbex rachète Kelmar"
    )
    evidence = {p["name"]: p["evidence"] for p in found.proposals}
    assert evidence["Zorbex"] == "titre"
    assert evidence["Kelmar Industries"] == "premier paragraphe"
    assert evidence["Dorvane"] == ""  # a legal form, named once deep down: a proposal
    again = detected(text + " Dorvane ferme.", title="Zorbex rachète Kelmar")
    assert {p["name"]: p["evidence"] for p in again.proposals}["Dorvane"] == "nommé 2 fois"


def test_a_company_named_once_by_wording_or_by_its_name_is_an_actor() -> None:
    text = "Reprise à Trith\n\n" + FILLER * 5 + "\n\n" + FILLER * 3
    text += "L'offre de la société Zorbex a été écartée, comme celle de Carlesimo Investissements. "
    text += "Arvelle Conseil a suivi le dossier.\n\n" + FILLER * 4
    labels = {"Carlesimo Investissements": "ORG", "Arvelle Conseil": "ORG"}
    found = detected(text, labels)
    assert found.actors == ["Zorbex", "Carlesimo Investissements"]
    evidence = {p["name"]: (p["rule"], p["evidence"]) for p in found.proposals}
    assert evidence["Zorbex"] == ("société", "société nommée")
    assert evidence["Carlesimo Investissements"] == ("société", "société nommée")
    assert evidence["Arvelle Conseil"] == ("ner", "")  # the model's organisation, once, far down


# -- names: honorifics, acronyms, possessives, places ---------------------------------------------


def test_english_and_german_honorifics_are_not_part_of_a_name() -> None:
    text = "Zorbex buys the smelter\n\nThe deal is done, Mr Kelmar said. Herr Dorvane agreed."
    found = entities.detect_entities(text, nlp=FakeNlp({"Mr Kelmar": "PER", "Herr Dorvane": "PER"}))
    assert found == []  # a surname alone is no full name


def test_an_acronym_spelling_another_detected_name_is_that_actor() -> None:
    text = (
        "Marche pour l'usine MCA\n\nDes milliers de personnes ont défilé jusqu'à l'usine MCA. "
        + FILLER * 6
        + "À Maubeuge, Maubeuge Construction Automobile emploie 2 100 salariés. Kelmar Automobile aussi."
    )
    found = detected(text, {"MCA": "ORG", "Maubeuge Construction Automobile": "ORG"})
    assert "MCA" not in found.actors
    assert "Maubeuge Construction Automobile" in found.actors  # first named, as MCA, in the first lines


def test_an_english_possessive_is_not_part_of_a_name() -> None:
    assert rules("welcomed Taiwanese battery maker ProLogium's decision") == [("ProLogium", "société")]


def test_a_role_before_a_place_name_is_no_person() -> None:
    text = "la présidente du directoire du Grand Port Maritime de Marseille ont accueilli les partenaires"
    assert rules(text) == [("Grand Port Maritime de Marseille", "port")]  # the port authority, no person
    assert rules("la présidente de la commission, Sonia de La Provôté, a dit") == [("Sonia de La Provôté", "fonction")]


def test_a_works_council_is_not_an_actor() -> None:
    text = "Arkema France a présenté ce jour à son Comité Social Économique central un projet."
    assert entities.detect_entities(text, nlp=FakeNlp({"Comité Social Économique central": "ORG"})) == []


def test_a_preposition_starts_no_name() -> None:
    assert rules("À Gardanne, une entreprise teste la valorisation des résidus.") == []


# -- wording that says a name is a company ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("l'offre d'Alain de Krassny, associé au fonds OpenGate Capital, pour la reprise", "OpenGate Capital"),
        ("le volailler LDC, associé à la coopérative Terrena et au groupe", "Terrena"),
        ("Le cabinet Accenture, mandaté par l'État, a présenté", "Accenture"),
        ("Née en 2022 dans l'incubateur européen EIT InnoEnergy, GravitHy réunit", "EIT InnoEnergy"),
        ("et le japonais Daikin, installé à proximité", "Daikin"),
        ("54 salariés au hongrois BorsodChem, repreneur", "BorsodChem"),
        ("by the US group Teledyne Technologies, invoking", "Teledyne Technologies"),
        ("a maker of tubes, night-vision maker Photonis said", "Photonis"),
        ("owned by investment fund Greybull Capital since 2016", "Greybull Capital"),
        ("die ungarische Tochter des chinesischen Chemiekonzerns Wanhua, der", "Wanhua"),
        ("Der Völklinger Stahlkonzern Saarstahl hat die Werke übernommen", "Saarstahl"),
        ("gegen den italienischen Hersteller Beltrame aus Vicenza", "Beltrame"),
    ],
)
def test_a_company_word_or_a_nationality_before_a_name(text: str, name: str) -> None:
    assert (name, "société") in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "le Français Thomas Pesquet a visité l'usine",  # a person's nationality has a capital
        "Am Montag will der Konzern Stellen abbauen",  # an article, not an adjective, before the noun
        "Der Betreiber sucht einen Investor Ende des Jahres",
        "hat der Stahlkonzern Insolvenz angemeldet. Die Insolvenz kam überraschend",  # a German noun
        "the group said on Monday that it would close",
    ],
)
def test_no_company_without_a_name_after_the_word(text: str) -> None:
    assert [name for name, rule in rules(text) if rule == "société"] == []


def test_the_models_reading_with_the_company_word_gives_way_to_the_rules_name() -> None:
    text = (
        "Vencorex: Minimallösung\n\nDen Zuschlag erhielt die ungarische Tochter des chinesischen "
        "Chemiekonzerns Wanhua. " + FILLER
    )
    found = detected(text, {"Chemiekonzerns Wanhua": "PER"})
    assert "Wanhua" in found.actors and "Chemiekonzerns Wanhua" not in found.actors


# -- fifth round: offices, institutions that act, letterheads, more wording -------------------------

BODY = "Le site emploie 400 salariés et attend un repreneur depuis plusieurs mois. " * 4


def test_an_office_wrapped_over_two_lines_is_still_its_holder() -> None:
    text = "Belfort : l'usine menacée\n\n" + BODY + "\nLe président de\nla République a demandé un plan."
    assert [m.holder for m in offices.mentions(text, "2016-09-08")] == ["François Hollande"]
    actors = record(text + "\n\nBelfort, le 8 septembre 2016").actors
    assert "François Hollande" in actors and "Présidence de la République" not in actors


def test_the_tenant_of_matignon_is_the_prime_minister() -> None:
    text = "Première pierre à Roussillon\n\nLe locataire de Matignon a inscrit la cérémonie dans la relance."
    assert [m.holder for m in offices.mentions(text, "2021-09-07")] == ["Jean Castex"]
    actors = record(text + " " + BODY + "\n\nRoussillon, le 7 septembre 2021").actors
    assert "Jean Castex" in actors and "Premier ministre" not in actors


def test_a_court_or_a_prefecture_named_once_counts_only_where_it_acts() -> None:
    start = "Reprise à Trith\n\n" + FILLER * 5 + "\n\n" + FILLER * 3
    where = start + "Objectif pour l'audience du 6 mars au tribunal de commerce de Nantes : gagner du temps. "
    acts = start + "Le tribunal de commerce de Nantes prolonge la période d'observation. "
    assert "Tribunal de commerce de Nantes" not in detected(where + FILLER * 4).actors
    found = detected(acts + FILLER * 4)
    assert "Tribunal de commerce de Nantes" in found.actors
    assert {p["name"]: p["evidence"] for p in found.proposals}["Tribunal de commerce de Nantes"] == "tribunal"
    prefecture = start + "Dans un communiqué, la préfecture du Gard\nindique que les contrôles continuent. "
    assert "Préfecture du Gard" in detected(prefecture + FILLER * 4).actors
    meeting = start + "Une réunion se tiendra à la préfecture du Gard. "
    assert "Préfecture du Gard" not in detected(meeting + FILLER * 4).actors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dans un communiqué, la préfecture du Gard indique", [("Préfecture du Gard", "préfecture")]),
        ("PRÉFET DE LA MANCHE\nCommuniqué de presse", [("Préfecture de la Manche", "préfecture")]),
        ("Présents : le préfet de l'Aude ; les élus", [("Préfecture de l'Aude", "préfecture")]),
        ("Le préfet du Gard, Marc Tessier, a réuni les élus", [("Marc Tessier", "fonction")]),  # the person
        ("puis marche vers la sous-préfecture de Thionville", []),
        ("la préfecture de Région a répondu", []),  # no place after the title
        ("Le Grand Port Maritime du Havre détient 5 % du capital", [("Grand Port Maritime du Havre", "port")]),
    ],
)
def test_prefectures_and_port_authorities_by_wording(text: str, expected: list[tuple[str, str]]) -> None:
    assert rules(text) == expected


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Trade Commissioner Anna Lindqvist said the deal was fair", "Anna Lindqvist"),
        ("alongside the group's chief executive Paul Verbeke and", "Paul Verbeke"),
        ("Konzernchef Markus Berger kündigte an", "Markus Berger"),
        ("die Gewerkschaftsvertreterin Ilse Krämer, eine der Initiatorinnen", "Ilse Krämer"),
    ],
)
def test_an_english_or_german_role_before_a_name_is_a_person(text: str, person: str) -> None:
    assert (person, "fonction") in rules(text)


def test_a_company_named_as_the_parent_of_another_needs_more_evidence() -> None:
    assert ("Zorbex", "société mère") in rules("le site, cédé à Kelmar, filiale du chinois Zorbex, ferme")
    assert ("Zorbex", "société") in rules("le site, cédé au chinois Zorbex, ferme")
    text = "Reprise à Trith\n\n" + FILLER * 5 + "\n\n" + FILLER * 3
    text += "Le site est cédé à Kelmar, ancienne filiale du canadien Zorbex. " + FILLER * 4
    found = detected(text)
    assert "Zorbex" not in found.actors
    assert {p["name"]: p["actor"] for p in found.proposals}["Zorbex"] is False


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Deux offres : celle de la SARL Morvan et Fils, qui garde 80 salariés", "Morvan et Fils"),
        ("l'offre du groupe suisse Kessel + Brandt pour la reprise", "Kessel + Brandt"),
    ],
)
def test_a_legal_form_before_a_name_and_names_with_et_cie_or_plus(text: str, name: str) -> None:
    assert (name, "société") in rules(text)


def test_a_programme_line_and_a_compound_of_common_words_are_no_names() -> None:
    text = "Matinée de l'industrie\n9 h 00 – Accueil\n12 h 30 – Cocktail-dînatoire et visites\n"
    assert entities.detect_entities(text, nlp=FakeNlp({"Cocktail-dînatoire": "ORG"})) == []
    text = "Matinée de l'industrie\n12 h 30 – Déjeuner et visite chez Norvalis, puis Norvalis présente."
    assert [e.name for e in entities.detect_entities(text, nlp=FakeNlp({"Norvalis": "ORG"}))] == ["Norvalis"]


def test_a_ministry_on_a_releases_letterhead_issues_it() -> None:
    body = "Le plan de soutien aux fonderies a été présenté ce jeudi à Paris. " + BODY
    head = "COMMUNIQUÉ DE PRESSE – MINISTÈRE DU REDRESSEMENT PRODUCTIF\n\nUn plan pour les fonderies\n\n"
    release = metadata.build_record(
        doc_id="x",
        paths=["cp.pdf"],
        extraction=Extraction(text=head + body, pages=1, format="pdf", title_hint="Un plan pour les fonderies"),
        sidecar={},
        sha256="0" * 64,
        size=1,
    )
    assert release.title == "Un plan pour les fonderies"  # the letterhead is not the title here
    assert "Ministère du Redressement productif" in release.actors
    # named once in passing in the body, it is not salient
    deep = "Un plan pour les fonderies\n\n" + body + " Le ministère du Redressement productif suit le dossier."
    assert "Ministère du Redressement productif" not in record(deep).actors


def test_etat_des_lieux_is_not_the_state() -> None:
    assert [name for name, _, _ in gazetteer.find_actors("État des lieux de la filière en 2011").spans] == []
    assert [name for name, _, _ in gazetteer.find_actors("L'État des lieux est fait. L'État paiera.").spans] == ["État"]


def test_an_institution_named_only_as_a_venue_does_not_act() -> None:
    venue = "La loi sur les sites rentables\n\nLa proposition, présentée à l'Assemblée nationale, attend. " + BODY
    assert "Assemblée nationale" not in record(venue).actors
    acting = "La loi sur les sites rentables\n\nL'Assemblée nationale a adopté la proposition. " + BODY
    assert "Assemblée nationale" in record(acting).actors


def test_an_acting_verb_may_follow_on_the_next_line() -> None:
    assert actor_salience.acts_at("devant la préfecture du Gard\nAccès en tramway", "Préfecture du Gard") is False
    assert actor_salience.acts_at("la Préfecture du Gard\nindique que", "Préfecture du Gard") is True
    assert actor_salience.acts_at("la préfecture du Gard, qui", "Préfecture du Gard") is False


# -- sixth round: precision (roman ordinals, posts, examples, landmarks, recalled offices) -----------


def test_a_roman_ordinal_is_never_an_entity() -> None:
    text = "ASSEMBLÉE NATIONALE – XIVE LÉGISLATURE\n\nLa commission a entendu les sidérurgistes. " + FILLER * 3
    found = detected(text, {"XIVE": "ORG", "XVe Législature": "ORG"})
    assert "XIVE" not in found.actors and not found.proposals
    assert entities.roman_ordinal("XVIe") and entities.roman_ordinal("XVe Législature")
    assert not entities.roman_ordinal("CCI") and not entities.roman_ordinal("Louis XIV")


def test_a_post_after_a_name_is_the_persons_title_not_the_institution() -> None:
    text = (
        "RAPPORT AU PREMIER MINISTRE – LOUIS GALLOIS, COMMISSAIRE GÉNÉRAL À\nL'INVESTISSEMENT – 5 NOVEMBRE 2012\n\n"
        "Pacte pour la compétitivité de l'industrie française\n\n" + BODY
    )
    assert "SGPI" not in record(text).actors
    assert "SGPI" in record("Le Commissariat général à l'investissement publie son bilan.\n\n" + BODY).actors


def test_the_short_name_of_ptt_global_chemical_is_an_alias() -> None:
    assert gazetteer.actor_for_alias("PTT GC") == "PTT Global Chemical"


def test_a_detected_company_named_once_as_an_example_is_not_an_actor() -> None:
    text = (
        "GravitHy à Fos\n\nLe projet réunit un consortium où figurent notamment l'américain Plug et des banques. "
        "Der Insolvenzverwalter hat Interessenten wie den italienischen Hersteller Beltrame abgewiesen. "
    )
    found = detected(text + FILLER * 3)
    assert "Plug" not in found.actors and "Beltrame" not in found.actors
    assert {"Plug", "Beltrame"} <= {p["name"] for p in found.proposals}
    assert "Plug" in detected("GravitHy à Fos\n\nLe projet associe l'américain Plug. " + FILLER * 3).actors
    listed = (
        "GravitHy à Fos\n\nY figurent notamment Engie New Ventures, l'équipementier Forvia, l'américain Plug, "
        "Primetals Technologies et le groupe Idec. "
    )
    assert "Idec" not in detected(listed + FILLER * 3).actors
    assert not actor_salience.as_example("Comme prévu, Renault, Stellantis, Valeo et le groupe Idec", 54)
    # A court glossed in brackets, or a long name whose acronym alone stands in brackets, is no example.
    glossed = (
        "Saarstahl übernimmt Ascoval\n\nDas Handelsgericht in Paris (Tribunal de commerce de Paris) hat zugestimmt. "
    )
    assert "Tribunal de commerce de Paris" in detected(glossed + FILLER * 3).actors
    acronym = "Alstom completes the deal\n\nIt bought it from the Caisse de dépôt et placement du Québec (CDPQ). "
    assert "Caisse de dépôt et placement du Québec" in detected(acronym + FILLER * 3, {"CDPQ": "ORG"}).actors


def test_a_company_named_once_as_a_landmark_is_not_an_actor() -> None:
    where = "Hydrogène à Fos\n\nL'usine sera construite sur une parcelle située au sud de l'aciérie Ascometal. "
    assert "Novasco" not in record(where + BODY).actors
    assert "Novasco" in record("Hydrogène à Fos\n\nAscometal cède une parcelle de son aciérie. " + BODY).actors


def test_a_short_name_in_the_title_and_its_long_form_in_the_text_are_one_actor() -> None:
    text = (
        "Port-Jérôme : 677 emplois supprimés chez ExxonMobil\n\n"
        "ExxonMobil Chemical France a annoncé l'arrêt de son vapocraqueur. " + FILLER * 3
    )
    found = detected(text, {"ExxonMobil": "ORG", "ExxonMobil Chemical France": "ORG"}, title=text.split("\n")[0])
    assert found.actors == ["ExxonMobil Chemical France"]
    assert {p["name"]: p["actor"] for p in found.proposals}["ExxonMobil"] is False
    parent = "Alstom buys Bombardier Transportation\n\nAlstom bought Bombardier Transportation from Bombardier. "
    labels = {"Bombardier": "ORG", "Bombardier Transportation": "ORG"}
    found = detected(parent + FILLER * 3, labels, title=parent.split("\n")[0])
    assert set(found.actors) == {"Bombardier Transportation", "Bombardier"}


def test_an_organisation_read_with_its_town_is_the_organisation() -> None:
    text = (
        "Macron s'excuse auprès des salariées de Gad\n\n"
        "Il avait déclaré que l'abattoir Gad de Lampaul-Guimiliau employait des illettrées. " + FILLER * 3
    )
    # The model reads the abattoir as a person, and the town alone as a place.
    labels = {"Gad de Lampaul-Guimiliau": "PER", "Lampaul-Guimiliau": "LOC"}
    found = detected(text + "Lampaul-Guimiliau est sous le choc. ", labels, title=text.split("\n")[0])
    assert "Gad" in found.actors and "Gad de Lampaul-Guimiliau" not in found.actors
    assert {p["name"]: p["kind"] for p in found.proposals}["Gad"] == "organisation"
    # Not a common word before the town: « la Banque de Lyon » stays what it is called.
    kept = detected(
        "La Banque de Lyon prête\n\nLa banque de Lyon prête aux PME. " + FILLER * 3, {"Banque de Lyon": "ORG"}
    )
    assert "Banque" not in kept.actors


# -- fifth round (dev4): names a document does not use as actors, acronyms, offices -------------


def test_a_byline_signs_and_a_work_named_after_a_person_is_no_actor() -> None:
    text = (
        "Flins : la dernière Zoe est sortie des chaînes\n\n"
        "Par Clémence Aubry · Publié le 22/03/2024 à 18h05\n\n"
        "Il y a douze ans, le rapport Gallois alertait sur le décrochage de l’industrie. " + FILLER * 3
    )
    found = detected(text, {"Clémence Aubry": "PER"}, title=text.split("\n")[0])
    assert "Clémence Aubry" not in found.actors
    assert "Louis Gallois" not in record(text).actors  # a gazetteer person: the same rule
    # named elsewhere as someone who acts, the person is an actor
    acting = text + "Louis Gallois a présenté ses conclusions au gouvernement."
    assert "Louis Gallois" in record(acting).actors
    assert (
        "Clémence Aubry"
        in detected(text + "Clémence Aubry a interrogé la direction. ", {"Clémence Aubry": "PER"}).actors
    )


def test_an_example_list_wrapped_over_two_lines_is_still_an_example() -> None:
    text = (
        "Les Aciéries de Bourgogne en redressement\n\n"
        "L’entreprise travaille pour le nucléaire, aux côtés de grands donneurs d’ordre du bassin comme\n"
        "Framatome ou Industeel. " + FILLER * 3
    )
    actors = record(text).actors
    assert "Industeel" not in actors and "Framatome" not in actors


@pytest.mark.parametrize(
    ("before", "acronym", "long_name"),
    [
        ("l’usine de Doniambo de la Société Le Nickel", "SLN", "Société Le Nickel"),  # small words spelled
        (
            "la Collectivité de Corse, l’Agence de développement économique de la Corse",
            "ADEC",
            "Agence de développement économique de la Corse",
        ),  # an elided article aside
        ("celle de Koniambo Nickel", "KNS", "Koniambo Nickel"),  # a legal form left out (SAS)
        ("la Caisse de dépôt et placement du Québec", "CDPQ", "Caisse de dépôt et placement du Québec"),
        ("le groupe Renault", "RNG", None),
        ("une usine", "KNS", None),
    ],
)
def test_the_long_form_of_a_bracketed_acronym(before: str, acronym: str, long_name: str | None) -> None:
    assert entities._long_form(before, acronym) == long_name


def test_an_acronym_and_its_long_name_count_as_mentions_of_one_actor() -> None:
    text = (
        "Nickel : l’État au chevet des usines\n\n"
        + FILLER * 3
        + "La Société Le Nickel (SLN) perd de l’argent. La SLN demande un prêt. La SLN attend."
    )
    found = detected(text, {"SLN": "ORG", "Société Le Nickel": "ORG"})
    assert found.actors == ["Société Le Nickel"]
    assert {p["name"]: p["mentions"] for p in found.proposals}["Société Le Nickel"] == 4


def test_a_name_cut_before_its_particle_and_an_authoritys_council_are_no_actors() -> None:
    text = (
        "Extrait du registre des délibérations du Conseil communautaire\n\n"
        "Le Conseil communautaire de la Communauté d’Agglomération du Pays Ajaccien s’est réuni. " + FILLER
    )
    found = detected(text, {"Conseil communautaire": "ORG", "Conseil communautaire de la": "ORG"})
    assert not {"Conseil communautaire", "Conseil communautaire de la"} & set(found.actors)


@pytest.mark.parametrize(
    ("sentence", "holder"),
    [
        # the Journal officiel's long title of the delegated minister, with the ministry between
        (
            "M. Frébault attire l’attention de Mme la ministre déléguée auprès du ministre de "
            "l’économie, des finances et de la relance, chargée de l’industrie, sur les fonderies.",
            "Agnès Pannier-Runacher",
        ),
        ("Vous avez rencontré le nouveau ministre chargé de l’Industrie à Chartres.", "Marc Ferracci"),
    ],
)
def test_a_delegated_or_new_minister_is_the_holder_at_the_documents_date(sentence: str, holder: str) -> None:
    day = "10 février 2022" if "relance" in sentence else "12 octobre 2024"
    rec = record(f"Paris, le {day}\n\n{sentence} " + FILLER)
    assert holder in rec.actors
    assert not [a for a in rec.actors if a.startswith("Ministère")]


def test_a_prefect_who_acts_makes_the_prefecture_an_actor() -> None:
    text = (
        "Flamanville : l’EPR raccordé au réseau\n\n" + FILLER * 3 + "\n\n" + FILLER * 3 + "\n\nLe préfet de la Manche "
        "salue la mobilisation des services de l’État. " + FILLER * 3 + "\n\nContact presse : Préfecture de la Manche"
    )
    assert "Préfecture de la Manche" in detected(text).actors
    assert "Préfecture de la Manche" not in detected(text.replace("salue", "était à")).actors


def test_a_trade_with_a_capital_then_a_place_is_a_companys_name() -> None:
    found = rules(
        "Les Aciéries de Bourgogne sont en redressement. Les Forges de Tarbes recrutent. "
        "Les aciéries de Lorraine ferment."
    )
    assert ("Aciéries de Bourgogne", "société") in found and ("Forges de Tarbes", "société") in found
    assert not [name for name, _ in found if "Lorraine" in name]  # in lower case: plants, not a name
    text = "Les Aciéries de Bourgogne en redressement\n\n" + FILLER * 3
    assert "Aciéries de Bourgogne" in detected(text, title=text.split("\n")[0]).actors
    former = text + "\n\n" + FILLER * 3 + "Fondée en 1957 sous le nom de Forges de Torcy, l’usine a changé de mains."
    assert "Forges de Torcy" not in detected(former + "\n\n" + FILLER * 3).actors  # a former name


def test_names_after_a_comma_and_dont_are_examples_not_a_relative_clause() -> None:
    from indexer.actor_salience import as_example

    text = "Leurs clients sont les grandes maisons de luxe, dont Chanel, LVMH ou L'Oréal."
    assert all(as_example(text, text.index(name)) for name in ("Chanel", "LVMH", "L'Oréal"))
    relative = "L'usine, dont le directeur Jean Dupont a parlé, ferme."
    assert not as_example(relative, relative.index("Jean"))


def test_a_list_of_alternatives_names_examples() -> None:
    from indexer.actor_salience import in_or_list, in_passing

    text = "nos verres partent chez les grands laboratoires, Sanofi, Pfizer ou Novo Nordisk, pour les vaccins."
    assert all(
        in_or_list(text, text.index(n)) and in_passing(text, text.index(n))
        for n in ("Sanofi", "Pfizer", "Novo Nordisk")
    )
    joint = "La CGT, FO et la CFDT appellent à la grève ; Renault ou PSA devront répondre."
    assert not in_or_list(joint, joint.index("CGT")) and not in_or_list(joint, joint.index("Renault"))


def test_a_local_authority_named_only_as_a_co_funder_is_not_an_actor() -> None:
    from indexer import metadata
    from indexer.extract import Extraction

    def actors(text: str) -> list[str]:
        extraction = Extraction(text=text, pages=1, format="txt")
        return metadata.build_record(
            doc_id="x", paths=["cp.txt"], extraction=extraction, sidecar={}, sha256="0" * 64, size=len(text)
        ).actors

    text = (
        "Saulxures-sur-Moselotte, le 21 septembre 2021\n\nLes Tissages de la Moselotte inaugurent une ligne.\n\n"
        "L’investissement de 3,8 millions d’euros a été soutenu à hauteur de 800 000 euros par l’État "
        "et par la Région Grand Est. Vingt-quatre emplois sont créés."
    )
    assert "Région Grand Est" not in actors(text)
    acting = text + " La Région Grand Est a salué un projet exemplaire."
    assert "Région Grand Est" in actors(acting)
