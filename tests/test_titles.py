"""A document's title as a researcher reads it: the headline, not the site, the sender or the label."""

from __future__ import annotations

import pytest

from indexer.titles import clean_hint, guess_title


@pytest.mark.parametrize(
    ("hint", "title"),
    [
        (
            "Bouin : Lhyfe inaugure sa première usine d’hydrogène vert | Ouest Énergies",
            "Bouin : Lhyfe inaugure sa première usine d’hydrogène vert",
        ),
        ("Avenir des fonderies automobiles du Cher - Sénat", "Avenir des fonderies automobiles du Cher"),
        (
            "Chimie : Kem One placé en redressement judiciaire – Le Fil Éco Rhône-Alpes",
            "Chimie : Kem One placé en redressement judiciaire",
        ),
        (
            "Pénurie de médicaments : trouver d’urgence le bon remède – senat.fr",
            "Pénurie de médicaments : trouver d’urgence le bon remède",
        ),
        (
            "Tribune – Réindustrialiser, c’est d’abord réparer les villes moyennes",
            "Réindustrialiser, c’est d’abord réparer les villes moyennes",
        ),
        # a dash inside the headline, words of a sentence after it: kept
        (
            "Ascoval : la reprise validée – les salariés soulagés",
            "Ascoval : la reprise validée – les salariés soulagés",
        ),
    ],
)
def test_an_embedded_title_loses_its_site_and_genre_label(hint: str, title: str) -> None:
    assert clean_hint(hint) == title


@pytest.mark.parametrize("hint", ["COMMUNIQUÉ DE PRESSE", "Communiqué de presse", "PRÉFET DE LA SOMME"])
def test_a_label_or_a_letterhead_is_no_embedded_title(hint: str) -> None:
    assert clean_hint(hint) is None
    text = f"{hint}\n\nSituation de l’entreprise WN à Amiens\n\nL’entreprise WN se trouve dans une impasse."
    assert guess_title(text, hint, "x") == "Situation de l’entreprise WN à Amiens"


@pytest.mark.parametrize(
    "first_lines",
    [
        "CFDT – Section syndicale Michelin Joué-lès-Tours\nSyndicat Chimie Énergie Centre-Val de Loire",
        "FO MÉTAUX SAÔNE-ET-LOIRE\nUNION DÉPARTEMENTALE CGT DE SAÔNE-ET-LOIRE",
        "SÉNAT – Commission d’enquête sur l’utilisation des aides publiques aux grandes entreprises",
        "COMMUNAUTÉ D’AGGLOMÉRATION DU PAYS AJACCIEN\nExtrait du registre des délibérations du Conseil communautaire",
        "La République du Val — Économie",
        "Defence Industry Brief",
        "Marseille – Fos-sur-Mer",
    ],
)
def test_letterheads_outlets_and_breadcrumbs_are_not_the_headline(first_lines: str) -> None:
    text = (
        f"{first_lines}\n\n730 POSTES SUPPRIMÉS : LA CFDT NE SIGNERA PAS UN CHÈQUE EN BLANC\n\nLa direction a annoncé."
    )
    assert guess_title(text, None, "x") == "730 postes supprimés : la cfdt ne signera pas un chèque en blanc"


def test_a_headline_naming_a_sender_is_still_the_headline() -> None:
    text = "La Région Bretagne soutient Arvor Lait à Loudéac\n\nLe conseil régional a voté une aide."
    assert guess_title(text, None, "x") == "La Région Bretagne soutient Arvor Lait à Loudéac"


def test_a_dateline_and_a_headline_on_one_line() -> None:
    text = "ASIA-EUROPE BATTERY BRIEF\n\nDUNKIRK, France, May 15, 2023 - Orano and XTC pick Dunkirk for battery materials\n\nText."
    assert guess_title(text, None, "x") == "Orano and XTC pick Dunkirk for battery materials"


def test_a_title_in_capitals_keeps_the_names_the_text_writes() -> None:
    text = (
        "VISITE GUILLAUME BASSET DIRECTEUR DU PROGRAMME LUNDI 21 SEPTEMBRE 2020\n\n"
        "Programme de la visite de Guillaume BASSET au Pont-de-Claix, avec la Métropole."
    )
    assert guess_title(text, None, "x") == "Visite Guillaume Basset directeur du programme lundi 21 septembre 2020"


def test_a_name_in_guillemets_keeps_its_capital_in_a_title_in_capitals() -> None:
    """« Directeur du programme «territoires d'industrie» »: a new user's reading of seed 004."""
    text = "VISITE DU DIRECTEUR DU PROGRAMME «TERRITOIRES D'INDUSTRIE» À ALÈS\n\nLe directeur visite l'usine d'Alès."
    assert guess_title(text, None, "x") == "Visite du directeur du programme «Territoires d'industrie» à Alès"


def test_a_title_cut_by_a_line_break_is_joined() -> None:
    text = (
        "Les États généraux de l’industrie ont mis en avant les évolutions pour renforcer la\n"
        "politique industrielle française.\n\nSuite du texte."
    )
    assert guess_title(text, None, "x") == (
        "Les États généraux de l’industrie ont mis en avant les évolutions pour renforcer la politique industrielle française."
    )
