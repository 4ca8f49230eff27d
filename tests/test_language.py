"""Tests for language detection (indexer.language)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from indexer.language import LANGUAGES, UNKNOWN, detect_language

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

SAMPLES = {
    "fr": (
        "Le gouvernement a présenté lundi une nouvelle stratégie industrielle pour "
        "relocaliser les usines et créer des milliers d’emplois dans les régions les "
        "plus touchées par les fermetures de la dernière décennie."
    ),
    "en": (
        "The government announced a new industrial strategy on Monday, aiming to bring "
        "factories back to the country and to create thousands of jobs in the regions "
        "that were hit hardest by the closures of the last decade."
    ),
    "de": (
        "Die Bundesregierung hat am Montag eine neue Industriestrategie vorgestellt, "
        "die Fabriken zurück ins Land holen und in den am stärksten betroffenen "
        "Regionen tausende Arbeitsplätze schaffen soll."
    ),
    "es": (
        "El gobierno anunció el lunes una nueva estrategia industrial con el objetivo "
        "de traer de vuelta las fábricas al país y crear miles de empleos en las "
        "regiones más afectadas por los cierres."
    ),
    "it": (
        "Il governo ha annunciato lunedì una nuova strategia industriale con "
        "l'obiettivo di riportare le fabbriche nel paese e creare migliaia di posti di "
        "lavoro nelle regioni più colpite dalle chiusure."
    ),
    "pt": (
        "O governo anunciou na segunda-feira uma nova estratégia industrial com o "
        "objetivo de trazer as fábricas de volta ao país e criar milhares de empregos "
        "nas regiões mais afetadas pelos encerramentos."
    ),
    "nl": (
        "De regering heeft maandag een nieuwe industriële strategie aangekondigd die "
        "fabrieken terug naar het land moet brengen en duizenden banen moet scheppen "
        "in de regio's die het hardst zijn getroffen."
    ),
}


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seeds_are_french(path: Path) -> None:
    assert detect_language(path.read_text(encoding="utf-8")) == "fr"


@pytest.mark.parametrize(("lang", "text"), sorted(SAMPLES.items()))
def test_supported_languages(lang: str, text: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "Bonjour à tous",
        "26 MARS 2026 à Pont de Claix",
        "https://airtable.com/appPVcewncgCBN5p5/shrMlxYYTCDV0DZJn 12 34 56",
        "107 562 200 300 000 148 2020 2026 8h30 16h30",
    ],
)
def test_short_or_empty_is_unknown(text: str) -> None:
    assert detect_language(text) == UNKNOWN


def test_mixed_english_french_is_unknown() -> None:
    text = (
        "The Made in France summit. Les Assises de la CGT ont eu lieu à Pont de Claix. "
        "The union presented its plan. La CGT propose dix mesures pour l'industrie. "
        "The minister attended the debate with the unions."
    )
    assert detect_language(text) == UNKNOWN


def test_name_list_gets_no_random_label() -> None:
    text = (
        "Made in France Industry Summit Assises CGT Produire local agir global Pont de "
        "Claix Vencorex Sophie Binet Sébastien Martin BPI France Territoires industrie "
        "airtable link"
    )
    assert detect_language(text) == UNKNOWN


def test_unsupported_language_is_not_returned() -> None:
    polish = (
        "Rząd przedstawił w poniedziałek nową strategię przemysłową, która ma "
        "sprowadzić fabryki z powrotem do kraju i stworzyć tysiące miejsc pracy w "
        "regionach najbardziej dotkniętych zamknięciami zakładów w ostatniej dekadzie."
    )
    assert detect_language(polish) in (*LANGUAGES, UNKNOWN)
    assert detect_language(polish) != "pl"


def test_title_is_used() -> None:
    words = "Assises CGT Vencorex Pont Claix Binet Martin BPI " * 2
    assert detect_language(words) == UNKNOWN
    title = "Les salariés de la région se mobilisent pour sauver les emplois de l'usine"
    assert detect_language(words, title=title) == "fr"


def test_deterministic_over_calls() -> None:
    text = SAMPLES["fr"][:120] + " " + SAMPLES["en"][:120]
    first = detect_language(text)
    assert all(detect_language(text) == first for _ in range(10))


def test_deterministic_across_processes() -> None:
    text = SAMPLES["fr"][:150] + " " + SAMPLES["es"][:150]
    code = "import sys; from indexer.language import language_probabilities as p; print(sorted(p(sys.argv[1]).items()))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, text],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (0, 1, 2)
    }
    assert len(outputs) == 1
    assert outputs.pop().startswith("[(")


def test_low_confidence_french_text_is_rescued_by_stopwords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import indexer.language as language

    monkeypatch.setattr(language, "language_probabilities", lambda *a: {"fr": 0.6})
    assert detect_language(SAMPLES["fr"]) == "fr"
    assert detect_language(SAMPLES["en"]) == UNKNOWN
    assert detect_language(SAMPLES["it"]) == UNKNOWN


def test_confident_detection_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.language as language

    monkeypatch.setattr(language, "language_probabilities", lambda *a: {"de": 0.95})
    assert detect_language(SAMPLES["fr"]) == "de"


def test_clear_french_prose_skips_the_statistical_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    """langdetect costs about 17 ms a document; function words settle ordinary French prose."""
    from indexer import language

    calls: list[str] = []
    real = language.language_probabilities
    monkeypatch.setattr(language, "language_probabilities", lambda *a: calls.append("x") or real(*a))
    prose = (CORPUS / "002_c7b655d0d8bf7451.txt").read_text(encoding="utf-8")
    assert detect_language(prose) == "fr" and calls == []
    # Not for English or German text, nor for a bilingual one: those still go to langdetect.
    assert detect_language(SAMPLES["en"] * 4) == "en" and len(calls) == 1
    assert detect_language(SAMPLES["de"] * 4) == "de" and len(calls) == 2
    assert detect_language(SAMPLES["fr"] * 2 + SAMPLES["en"] * 2) in ("fr", "en", UNKNOWN) and len(calls) == 3
