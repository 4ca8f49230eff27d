"""Tests for the document type guesser (indexer.doctype)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.doctype import DOC_TYPES, detect_doc_type, type_scores

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILLER = "Le texte continue sans indice particulier sur sa nature. " * 20


def _seed(prefix: str) -> str:
    """Text of the corpus seed whose file name starts with prefix."""
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", "invitation"),
        ("001", "compte rendu"),
        ("002", "article"),
        ("003", "programme"),
        ("004", "communiqué de presse"),
    ],
)
def test_seed_types(prefix: str, expected: str) -> None:
    assert detect_doc_type(_seed(prefix)) == expected


def test_press_reference_beats_invitation_wording() -> None:
    scores = type_scores(_seed("004"))
    assert scores["invitation"] > 0  # the seed does say "nous vous invitons"
    assert scores["communiqué de presse"] > scores["invitation"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("COMMUNIQUÉ DE PRESSE\nLe ministre annonce un plan.", "communiqué de presse"),
        ("Réf. : 12.21 - PRESSE\nLe ministre annonce un plan.", "communiqué de presse"),
        ("Le ministre annonce un plan.\nContact presse : Mme X", "communiqué de presse"),
        ("INVITATION\nLe salon de l'industrie ouvre ses portes.", "invitation"),
        ("Nous vous invitons à participer au salon. Inscription en ligne.", "invitation"),
        ("Compte rendu de la réunion du comité de filière.", "compte rendu"),
        (
            "La réunion s'est tenue à Lyon. Les élus se sont rendus sur le site.",
            "compte rendu",
        ),
        ("Rapport au Premier ministre\nSommaire\nSynthèse\nRecommandations", "rapport"),
        ("Nos mesures : nous créerons des zones d'activité, nous ferons mieux.", "programme"),
        ("Nos 50 ambitions pour la ville.", "programme"),
        ("Mesdames et Messieurs, chers amis,\nSeul le prononcé fait foi.", "discours"),
        ("Discours du ministre à l'usine de Belfort.", "discours"),
        ("TRACT\nGrève le 5 décembre : mobilisons-nous, tous et toutes !", "tract"),
        (
            "Décret n° 2021-123 relatif à l'industrie.\nArticle 1er\nJournal officiel",
            "texte officiel",
        ),
        ("Loi n° 2019-486 du 22 mai 2019. Vu le code du travail.", "texte officiel"),
        ("Étude : méthodologie de l'enquête et échantillon de 1 000 entreprises.", "étude"),
        ("Le ministre a visité l'usine. Il a salué les salariés.", "article"),
        ("", "article"),
    ],
)
def test_cues(text: str, expected: str) -> None:
    assert detect_doc_type(text) == expected


def test_result_is_always_one_of_the_types() -> None:
    for text in ("", "x", "grève", "rapport", "Mesdames et Messieurs", _seed("001")):
        assert detect_doc_type(text) in DOC_TYPES


def test_rapport_de_force_is_not_a_report_cue() -> None:
    assert type_scores("Il faut construire le rapport de force.")["rapport"] == 0


def test_title_weighs_more_than_body() -> None:
    body = FILLER + "Une étude, une enquête, un échantillon. " + FILLER + "Un rapport. Un rapport."
    assert detect_doc_type(body) == "étude"
    assert detect_doc_type(body, title="Rapport annuel") == "rapport"


def test_head_weighs_more_than_tail() -> None:
    head_cue = "Une invitation. " + FILLER + "Le tract. "
    tail_cue = "Le tract. " + FILLER + "Une invitation. "
    assert detect_doc_type(head_cue) == "invitation"
    assert detect_doc_type(tail_cue) == "tract"


def test_file_name_is_a_cue() -> None:
    text = "Le salon de l'industrie ouvre ses portes à Lyon."
    assert detect_doc_type(text) == "article"
    assert detect_doc_type(text, file_name="2020-09-17_communique_de_presse.pdf") == ("communiqué de presse")


def test_typographic_apostrophes_and_spaces() -> None:
    text = "La réunion s’est tenue à Alès\u00a0; les élus se sont rendus à l’usine."
    assert detect_doc_type(text) == "compte rendu"
