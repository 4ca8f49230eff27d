"""Gazetteers (actors, themes, places) and their matchers, on the seeds and on known pitfalls."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from archive import gazetteer as g

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"
VOCAB = ROOT / "archive" / "vocab"

THEMES = [
    "emploi",
    "relocalisation",
    "transition écologique",
    "énergie",
    "innovation",
    "financement",
    "territoires",
    "formation et compétences",
    "commerce et souveraineté",
    "dialogue social",
    "fermeture et restructuration",
    "automobile",
    "chimie",
    "sidérurgie et métallurgie",
    "aéronautique et défense",
    "numérique",
]


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def actor_names(text: str) -> list[str]:
    return [m.value for m in g.match_actors(text)]


def place_names(text: str) -> list[str]:
    return [p.name for p in g.match_places(text)]


def theme_names(text: str, title: str = "") -> list[str]:
    return [m.value for m in g.match_themes(text, title)]


# --- seeds -----------------------------------------------------------------------


def test_seed_000_cgt_invitation_actors_and_places() -> None:
    text = seed("000")
    actors = actor_names(text)
    for name in ("CGT", "Bpifrance", "Banque des Territoires", "Sophie Binet", "Sébastien Martin", "Vencorex"):
        assert name in actors
    assert "UD CGT Isère" in actors  # « la CGT Isère »
    assert "Patrick Martin" not in actors  # only Sébastien Martin is named
    places = place_names(text)
    assert {"Pont-de-Claix", "Isère", "Auvergne-Rhône-Alpes"} <= set(places)
    (pont,) = [p for p in g.match_places(text) if p.name == "Pont-de-Claix"]
    assert (pont.kind, pont.department, pont.region) == ("commune", "Isère", "Auvergne-Rhône-Alpes")


def test_seed_000_themes() -> None:
    themes = theme_names(seed("000"))
    assert 1 <= len(themes) <= 3
    assert {"emploi", "fermeture et restructuration"} & set(themes)


def test_seed_001_federation_and_companies() -> None:
    actors = actor_names(seed("001"))
    for name in ("FILPAC CGT", "CGT", "Autajon", "Dares", "Duralex", "Valdunes", "ArcelorMittal", "Chapelle Darblay"):
        assert name in actors
    assert "Gardanne" in place_names(seed("001"))
    assert "fermeture et restructuration" in theme_names(seed("001"))


def test_seed_002_semaine_de_l_industrie() -> None:
    text = seed("002")
    actors = actor_names(text)
    for name in ("Nicolas Sarkozy", "Éric Besson", "Conseil national de l'industrie"):
        assert name in actors
    assert place_names(text) == ["Essonne"]
    assert g.match_places(text)[0].region == "Île-de-France"


def test_seed_003_municipal_programme_themes() -> None:
    text = seed("003")
    themes = theme_names(text)
    assert 1 <= len(themes) <= 3
    assert "formation et compétences" in themes
    assert {"relocalisation", "territoires"} & set(themes)
    assert "CCI France" in actor_names(text)
    assert place_names(text) == []


def test_seed_004_territoires_d_industrie() -> None:
    text = seed("004")
    actors = actor_names(text)
    for name in (
        "Territoires d'industrie",
        "Alès Agglomération",
        "Région Occitanie",
        "Guillaume Basset",
        "Christophe Rivenq",
        "Premier ministre",
        "Conseil national de l'industrie",
    ):
        assert name in actors
    places = place_names(text)
    assert places[:2] == ["Alès", "Occitanie"]
    assert g.place_info("Alès") == g.Place("Alès", "commune", "Gard", "Occitanie")
    assert theme_names(text)[0] == "territoires"


def test_seed_004_bare_surname_after_full_name() -> None:
    (basset,) = [m for m in g.match_actors(seed("004")) if m.value == "Guillaume Basset"]
    assert "Basset" in basset.evidence  # « M. Basset »


def test_actors_sorted_by_first_occurrence() -> None:
    text = "Le MEDEF puis la CGT, puis encore le MEDEF et enfin Bpifrance."
    assert actor_names(text) == ["MEDEF", "CGT", "Bpifrance"]


# --- actor pitfalls --------------------------------------------------------------


def test_acronym_word_boundaries() -> None:
    assert "CGT" not in actor_names("La CGTX et la XCGT n'existent pas.")
    assert actor_names("la CGT.") == ["CGT"]


def test_federation_reports_its_confederation() -> None:
    assert actor_names("La FILPAC CGT et la FTM-CGT") == ["FILPAC CGT", "CGT", "FTM-CGT"]
    assert set(actor_names("FO Métaux")) == {"FO Métaux", "FO"}


def test_cgt_fo_is_fo_not_cgt() -> None:
    assert actor_names("la CGT-FO appelle") == ["FO"]


def test_elisions_and_typographic_apostrophes() -> None:
    assert actor_names("d'ArcelorMittal, l'UIMM et l\u2019ADEME") == ["ArcelorMittal", "UIMM", "ADEME"]
    assert actor_names("l\u2019État et l'Etat") == ["État"]


def test_non_breaking_spaces_inside_names() -> None:
    assert actor_names("BPI\u00a0France") == ["Bpifrance"]
    assert actor_names("Banque\u202fpublique d\u2019investissement") == ["Bpifrance"]
    assert actor_names("Sophie\u00a0Binet") == ["Sophie Binet"]


def test_bpi_variants_are_one_actor() -> None:
    (match,) = g.match_actors("BPI France, Bpifrance, la BPI et la Banque publique d'investissement")
    assert match.value == "Bpifrance"
    assert set(match.evidence) == {"BPI France", "Bpifrance", "BPI", "Banque publique d'investissement"}


def test_accents_and_case() -> None:
    assert actor_names("L'ETAT et le MEDEF") == ["État", "MEDEF"]
    assert actor_names("le Medef") == ["MEDEF"]
    assert actor_names("ERIC BESSON") == ["Éric Besson"]


def test_case_sensitive_actor_aliases() -> None:
    assert actor_names("l'état de l'usine") == []
    assert actor_names("la couleur orange et le safran") == []
    assert actor_names("soyons solidaires") == []
    assert actor_names("Solidaires appelle à la grève") == ["Solidaires"]
    assert actor_names("fo") == []
    assert actor_names("la région AURA") == []
    assert actor_names("la Région Auvergne-Rhône-Alpes") == ["Région Auvergne-Rhône-Alpes"]
    assert actor_names("RÉGION OCCITANIE") == ["Région Occitanie"]


def test_bare_surname_with_title_when_unambiguous() -> None:
    assert actor_names("Mme Binet a parlé") == ["Sophie Binet"]
    assert actor_names("Binet a parlé") == []  # no title, no full name
    assert actor_names("le président Macron") == ["Emmanuel Macron"]


def test_bare_surname_ambiguous_needs_full_name() -> None:
    assert actor_names("M. Martin a parlé") == []  # Sébastien, Patrick, Édouard Martin
    assert actor_names("Patrick Martin, puis M. Martin") == ["Patrick Martin"]
    (match,) = g.match_actors("Sébastien Martin. Plus tard, Martin a répondu.")
    assert match.value == "Sébastien Martin" and match.evidence == ("Sébastien Martin", "Martin")


def test_bare_surname_must_be_capitalised_and_alone() -> None:
    assert actor_names("Le maire de Lyon") == []
    assert actor_names("Le ministre Le Maire") == ["Bruno Le Maire"]
    assert "Édouard Philippe" not in actor_names("M. Philippe Dupont")


def test_longest_alias_wins() -> None:
    assert actor_names("Areva NP") == ["Framatome"]
    assert actor_names("Areva") == ["Orano"]
    assert actor_names("Renault Trucks") == ["Renault Trucks"]
    assert actor_names("Henri Poupart-Lafarge") == ["Henri Poupart-Lafarge"]


def test_successive_ministry_names_are_one_actor() -> None:
    names = [
        "ministère de l'Économie, des Finances et de la Relance",
        "Ministère de l'Economie, des Finances et de la Souveraineté industrielle et numérique",
        "le ministère de l'Économie, de l'Industrie et du Numérique",
        "Bercy",
    ]
    for name in names:
        assert actor_names(name) == ["Ministère de l'Économie et des Finances"], name
    assert actor_names("ministère du Redressement productif") == ["Ministère du Redressement productif"]


def test_actor_for_alias() -> None:
    for phrase in ("BPI", "bpi france", "banque publique d'investissement", "Bpifrance", "la BPI"):
        assert g.actor_for_alias(phrase) == "Bpifrance"
    assert g.actor_for_alias("conférence nationale de l'industrie") == "Conseil national de l'industrie"
    assert g.actor_for_alias("binet") == "Sophie Binet"
    assert g.actor_for_alias("martin") is None  # ambiguous surname
    assert g.actor_for_alias("usine") is None


def test_actor_kind() -> None:
    assert g.actor_kind("Bpifrance") == "agences et opérateurs"
    assert g.actor_kind("CGT") == "syndicats"
    assert g.actor_kind("Sophie Binet") == "personnalités"
    assert g.actor_kind("Région Occitanie") == "collectivités"
    assert g.actor_kind("BPI") == "agences et opérateurs"
    assert g.actor_kind("inconnu") is None


# --- places ----------------------------------------------------------------------


def test_hyphenated_towns_match_with_spaces() -> None:
    assert place_names("à Pont de Claix") == ["Pont-de-Claix"]
    assert place_names("Le Pont-de-Claix") == ["Pont-de-Claix"]
    assert place_names("Fos sur Mer") == ["Fos-sur-Mer"]
    assert place_names("St-Étienne") == ["Saint-Étienne"]


def test_towns_with_and_without_accents() -> None:
    assert place_names("Alès et Ales") == ["Alès"]
    assert place_names("ALES") == ["Alès"]


def test_place_hierarchy() -> None:
    assert g.place_info("Pont de Claix") == g.Place("Pont-de-Claix", "commune", "Isère", "Auvergne-Rhône-Alpes")
    assert g.place_info("Isère") == g.Place("Isère", "département", "Isère", "Auvergne-Rhône-Alpes")
    assert g.place_info("AURA") == g.Place("Auvergne-Rhône-Alpes", "région", None, "Auvergne-Rhône-Alpes")
    assert g.place_info("Atlantide") is None


def test_longest_place_wins() -> None:
    assert place_names("Seine-Saint-Denis") == ["Seine-Saint-Denis"]
    assert place_names("en Haute-Vienne et en Loire-Atlantique") == ["Haute-Vienne", "Loire-Atlantique"]
    assert place_names("Pays de la Loire") == ["Pays de la Loire"]


def test_case_sensitive_places() -> None:
    assert place_names("les tours de refroidissement") == []
    assert place_names("l'usine de Tours") == ["Tours"]
    assert place_names("une somme de 3 euros") == []
    assert place_names("dans la Somme") == ["Somme"]
    assert place_names("Cher collègue,") == []  # sentence start
    assert place_names("lors de la réunion du CSE") == []
    assert place_names("à La Réunion") == ["La Réunion"]
    assert place_names("il y aura du monde") == []
    assert place_names("la région AURA") == ["Auvergne-Rhône-Alpes"]
    assert place_names("le plus grand est celui-ci") == []
    assert place_names("la région Grand Est") == ["Grand Est"]


def test_contracted_articles() -> None:
    assert place_names("au Havre et du Mans") == ["Le Havre", "Le Mans"]


def test_former_regions_map_to_current_ones() -> None:
    assert place_names("en Lorraine") == ["Grand Est"]
    assert place_names("Nord-Pas-de-Calais") == ["Hauts-de-France"]


def test_places_deduplicated_in_order() -> None:
    assert place_names("Grenoble, Isère. Grenoble encore, puis Alès.") == ["Grenoble", "Isère", "Alès"]


# --- themes ----------------------------------------------------------------------


def test_theme_labels_in_order() -> None:
    assert g.theme_labels() == THEMES


def test_themes_none_without_terms() -> None:
    assert g.match_themes("Le chat dort sur le canapé.") == []


def test_single_weak_term_still_gives_one_theme() -> None:
    assert theme_names("Nous parlerons de chômage.") == ["emploi"]


def test_theme_evidence_explains_the_choice() -> None:
    text = "Le site sidérurgique de Florange : les hauts fourneaux et l'acier, la sidérurgie française."
    (first, *_) = g.match_themes(text)
    assert first.value == "sidérurgie et métallurgie"
    assert "sidérurgie française" in first.evidence


def test_title_counts_more() -> None:
    body = "Le projet concerne la formation des salariés et les aides à l'emploi."
    assert theme_names(body, title="Relocalisation de l'usine")[0] == "relocalisation"


def test_themes_at_most_three() -> None:
    text = (
        "emploi relocalisation décarbonation nucléaire innovation financement territoires formation "
        "souveraineté dialogue social fermeture automobile chimie acier aéronautique numérique"
    )
    assert 1 <= len(g.match_themes(text)) <= 3


def test_accent_folding_does_not_invent_vehicles() -> None:
    assert "automobile" not in theme_names("des clichés trop souvent véhiculés sur l'industrie")


# --- YAML sanity -----------------------------------------------------------------


def load(name: str):
    return yaml.safe_load((VOCAB / name).read_text(encoding="utf-8"))


def test_actors_yaml_sanity() -> None:
    items = load("actors.yaml")
    assert len(items) >= 150
    assert all(item["kind"] in g.ACTOR_KINDS for item in items)
    assert len({item["name"] for item in items}) == len(items)
    assert {a.kind for a in g.actors()} == set(g.ACTOR_KINDS)
    assert all(item["kind"] == "personnalités" for item in items if item.get("surname"))


def test_no_alias_shared_by_two_actors() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for item in load("actors.yaml"):
        for alias in [item["name"], *(item.get("aliases") or []), *(item.get("case_sensitive") or [])]:
            owners[g.fold(alias)].add(item["name"])
    shared = {alias: names for alias, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_offices_are_well_formed() -> None:
    for item in load("actors.yaml"):
        for office in item.get("offices") or []:
            assert office["title"], item["name"]
            start, end = office.get("from"), office.get("to")
            assert start is None or 1990 <= start <= 2026, item["name"]
            assert end is None or (start is not None and start <= end <= 2026), item["name"]


def test_themes_yaml_sanity() -> None:
    items = load("themes.yaml")
    assert [item["label"] for item in items] == THEMES
    assert all(item["terms"] for item in items)


def test_places_yaml_sanity() -> None:
    data = load("places.yaml")
    regions = {r["name"] for r in data["regions"]}
    assert len(regions) == 18 and {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"} <= regions
    departments = data["departments"]
    assert len(departments) == 101
    assert len({d["code"] for d in departments}) == 101
    assert all(d["region"] in regions for d in departments)
    names = {d["name"] for d in departments}
    towns = data["towns"]
    assert len(towns) >= 250
    assert all(t["department"] in names for t in towns)
    assert len({t["name"] for t in towns}) == len(towns)


@pytest.mark.parametrize(
    "town", ["Pont-de-Claix", "Alès", "Florange", "Dunkerque", "Fos-sur-Mer", "Béthune", "Sochaux"]
)
def test_industrial_towns_present(town: str) -> None:
    place = g.place_info(town)
    assert place is not None and place.kind == "commune" and place.region


# --- fold ------------------------------------------------------------------------


def test_fold() -> None:
    assert g.fold("L\u2019ÉTAT\u00a0et  Pont-de-Claix") == "l'etat et pont de claix"
    assert g.fold("Île-de-France\u202f") == "ile de france"
    assert g.fold("cœur") == "coeur"
    assert g.fold("2011-2026") == "2011-2026"
