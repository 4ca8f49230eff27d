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
    # Cues are read on archive.text.fold_words: any apostrophe, compatibility forms (« 1ᵉʳ »).
    assert (
        type_scores("la réunion s\u02bcest tenue")["compte rendu"]
        == type_scores("la réunion s'est tenue")["compte rendu"]
    )
    assert (
        type_scores("Article 1ᵉʳ du décret")["texte officiel"] == type_scores("Article 1er du décret")["texte officiel"]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Pressemitteilung\nBerlin/Paris, 19. Februar 2019\nDie Minister haben heute ein Manifest vorgestellt.",
            "communiqué de presse",
        ),
        ("PRESS RELEASE\nThe minister announced a plan today.", "communiqué de presse"),
        (
            "Convocation CSE extraordinaire – Stellantis Sochaux – 14/03/2022 à 9h – Ordre du jour : activité partielle.",
            "invitation",
        ),
        (
            "PROCÈS-VERBAL DE LA RÉUNION EXTRAORDINAIRE DU CSE\nPrésents pour la direction : le directeur.\nLa prochaine réunion est fixée au 24 octobre.",
            "compte rendu",
        ),
        (
            "CONSEIL NATIONAL DE L'INDUSTRIE\nRelevé de décisions de la séance plénière\n1. Pacte productif.",
            "compte rendu",
        ),
        (
            "La Lettre de l'ADEME\nÉconomie circulaire : l'industrie passe à l'action. L'économie circulaire progresse.",
            "article",
        ),
        (
            "Alstom : l'État entre au capital. Le ministre, qui avait fait adopter un décret en mai, « C'est une victoire », s'est félicité le ministre.",
            "article",
        ),
        (
            "Nokia supprime 233 postes. Orange n'a pas souhaité réagir. « On nous a déjà fait le coup », résume un délégué. Centre national d'études des télécommunications.",
            "article",
        ),
        (
            "JORF n°0081 du 6 avril 2016\nArrêté du 1er avril 2016 modifiant l'arrêté du 15 juillet 2015\nArticle 1er\nLe montant est abaissé.",
            "texte officiel",
        ),
    ],
)
def test_cues_from_the_annotated_set(text: str, expected: str) -> None:
    assert detect_doc_type(text) == expected


def test_type_words_count_only_in_the_documents_own_voice() -> None:
    """Issue 12, item 7: an article that mentions a tract or a speech is an article."""
    article = (
        "Fermeture de l'usine : les salariés inquiets\n\n"
        "Les syndicats ont distribué un tract devant l'usine mardi. Dans son discours, le ministre a promis "
        "un repreneur. Le tract dénonce la fermeture, a-t-il expliqué. Selon la direction, « rien n'est décidé », "
        "a déclaré le directeur. "
        + "L'usine emploie 300 personnes et attend un repreneur depuis des mois. " * 10
        + "Un autre tract a été distribué, et le discours du ministre a été commenté."
    )
    assert detect_doc_type(article) == "article"


def test_a_header_stating_the_type_wins() -> None:
    text = "Communiqué de presse n° 12 – 5 mars 2014\n\nLa CFDT signe le relevé de conclusions\n\nTexte."
    assert detect_doc_type(text, "La CFDT signe le relevé de conclusions") == "communiqué de presse"


# -- the cues are data: archive/vocab/doc_types.yaml, or a lab's copy ---------------------------

BUNDLED_CUES = Path(__file__).resolve().parents[1] / "archive" / "vocab" / "doc_types.yaml"
SURVEY = "La coopérative publie ses résultats. " + FILLER


@pytest.fixture
def lab_vocab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty lab vocabulary folder (ARCHIVE_VOCAB_DIR)."""
    monkeypatch.setenv("ARCHIVE_VOCAB_DIR", str(tmp_path))
    return tmp_path


def test_a_labs_own_cues_are_used(lab_vocab: Path) -> None:
    assert detect_doc_type(SURVEY) == "article"
    bundled = BUNDLED_CUES.read_text(encoding="utf-8")
    added = bundled.replace("étude:\n  cues:\n", "étude:\n  cues:\n    - ['\\bcooperative\\b', 9]\n")
    assert added != bundled
    (lab_vocab / "doc_types.yaml").write_text(added, encoding="utf-8")
    assert detect_doc_type(SURVEY) == "étude"
    assert type_scores(SURVEY)["étude"] == 9 * 2  # once in the body, once in the head


def test_a_lab_folder_without_the_cues_reads_the_bundled_ones(lab_vocab: Path) -> None:
    assert not (lab_vocab / "doc_types.yaml").exists()
    assert detect_doc_type(_seed("004")) == "communiqué de presse"
    assert detect_doc_type("COMPTE RENDU\n" + FILLER) == "compte rendu"  # a header pattern


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("brochure:\n  cues: []\n", "'brochure' is not a document type"),
        ("tract:\n  cues:\n    - ['\\bgreve\\b']\n", "a cue is [pattern, weight]"),
        ("tract:\n  cues:\n    - ['\\bgreve\\b', 2, head]\n", "can only be « voice »"),
        ("tract:\n  cues:\n    - ['(greve', 2]\n", "invalid pattern"),
        ("tract:\n  header: '(greve'\n", "invalid pattern"),
    ],
)
def test_a_mistake_in_the_cues_names_the_file_and_the_cue(lab_vocab: Path, body: str, message: str) -> None:
    (lab_vocab / "doc_types.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match="doc_types.yaml") as caught:
        detect_doc_type("Un texte.")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Question écrite n° 06281 de M. Patrick Verhaeghe (Nord – UC)\npubliée dans le JO Sénat du 13/04/2023"
            "\n\nM. Verhaeghe attire l'attention du ministre.\n\nRéponse du Ministère du travail publiée le 8 juin 2023.",
            "texte officiel",
        ),
        (
            "MÉTROPOLE ROUEN NORMANDIE\nExtrait du registre des délibérations du Conseil métropolitain\n"
            "Délibération n° C2022-0112\nObjet : Site papetier de Chapelle Darblay",
            "texte officiel",
        ),
        ("Avis du CESER\n\nLe verre de la Bresle face à la transition énergétique\n\nLe CESER constate.", "rapport"),
        # an article that reports a question is still an article
        ("Le sénateur a déposé une question écrite sur l'usine. La CGT réagit à la fermeture.", "article"),
    ],
)
def test_questions_deliberations_and_opinions_have_their_type(text: str, expected: str) -> None:
    assert detect_doc_type(text, text.splitlines()[0]) == expected
