"""Deterministic language detection restricted to a few European languages."""

from __future__ import annotations

import re
from functools import lru_cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

__all__ = ["LANGUAGES", "UNKNOWN", "detect_language", "language_probabilities"]

DetectorFactory.seed = 0  # langdetect is random otherwise: fix it before any use

UNKNOWN = "und"
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl")
SAMPLE_CHARS = 2000
MIN_WORDS = 20
MIN_PROBABILITY = 0.80
FR_STOPWORD_RATIO = 0.20  # share of French function words in a French text
FAST_PATH_WORDS, FAST_PATH_FR_RATIO = 60, 0.28  # French prose: about 0.35–0.45 are function words

_WORD = re.compile(r"[^\W\d_]{2,}")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_FR_STOPWORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "de",
        "des",
        "du",
        "un",
        "une",
        "et",
        "en",
        "au",
        "aux",
        "pour",
        "par",
        "sur",
        "dans",
        "avec",
        "est",
        "sont",
        "ce",
        "cette",
        "ces",
        "qui",
        "que",
        "quoi",
        "dont",
        "il",
        "elle",
        "ils",
        "elles",
        "nous",
        "vous",
        "leur",
        "leurs",
        "son",
        "sa",
        "ses",
        "notre",
        "nos",
        "votre",
        "vos",
        "ne",
        "pas",
        "plus",
        "se",
        "être",
        "été",
        "ont",
        "mais",
        "ou",
        "où",
        "donc",
        "car",
        "aussi",
        "comme",
        "tout",
        "tous",
        "toute",
        "toutes",
        "entre",
        "vers",
        "chez",
        "sans",
        "sous",
    ]
)
_EN_STOPWORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "are",
        "for",
        "on",
        "with",
        "that",
        "this",
        "by",
        "be",
        "as",
        "at",
        "from",
        "it",
        "an",
        "or",
        "was",
        "were",
        "have",
        "has",
        "not",
        "but",
        "which",
        "their",
        "they",
        "we",
        "you",
        "our",
        "its",
    ]
)


_DE_STOPWORDS = frozenset(
    "der die das den dem des und ist sind mit für auf von zu im nicht ein eine einer eines sich auch "
    "wird werden wurde als bei nach aus über oder wir sie es".split()
)


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    """A langdetect factory with all profiles loaded once."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def _sample(text: str, title: str) -> str:
    """Title plus the start of the text, without URLs and extra whitespace."""
    joined = f"{title}\n{text[:SAMPLE_CHARS]}" if title else text[:SAMPLE_CHARS]
    return " ".join(_URL.sub(" ", joined).split())


def _words(sample: str) -> list[str]:
    """Lower-cased words of two letters or more (apostrophes split words)."""
    return [w.lower() for w in _WORD.findall(sample.replace("’", " "))]


def _stopword_ratio(words: list[str], stopwords: frozenset[str]) -> float:
    """Share of words that are function words of one language."""
    return sum(w in stopwords for w in words) / len(words) if words else 0.0


def language_probabilities(text: str, title: str = "") -> dict[str, float]:
    """langdetect probabilities over LANGUAGES only (empty if undetectable)."""
    factory = _factory()
    detector = factory.create()
    detector.set_prior_map({lang: 1.0 for lang in LANGUAGES})
    detector.append(_sample(text, title))
    try:
        found = detector.get_probabilities()
    except LangDetectException:
        return {}
    return {lang.lang: lang.prob for lang in found if lang.lang in LANGUAGES}


def _clearly_french(words: list[str]) -> bool:
    """French function words are frequent and clearly above English ones."""
    fr = _stopword_ratio(words, _FR_STOPWORDS)
    en = _stopword_ratio(words, _EN_STOPWORDS)
    return fr >= FR_STOPWORD_RATIO and fr >= 2 * en


def _unmistakably_french(words: list[str]) -> bool:
    """So many French function words, and so few English and German ones, that no statistical
    detector is needed (most of the archive: French prose of a paragraph or more)."""
    fr = _stopword_ratio(words, _FR_STOPWORDS)
    other = max(_stopword_ratio(words, _EN_STOPWORDS), _stopword_ratio(words, _DE_STOPWORDS))
    return len(words) >= FAST_PATH_WORDS and fr >= FAST_PATH_FR_RATIO and fr >= 4 * other


def detect_language(text: str, title: str = "") -> str:
    """ISO 639-1 code among LANGUAGES, or "und" when short, mixed or unclear."""
    sample = _sample(text or "", title or "")
    words = _words(sample)
    if len(words) < MIN_WORDS:
        return UNKNOWN
    if _unmistakably_french(words):
        return "fr"  # langdetect's sampling costs ~17 ms a document and would say the same
    probs = language_probabilities(text or "", title or "")
    if not probs:
        return UNKNOWN
    best = max(LANGUAGES, key=lambda lang: probs.get(lang, 0.0))
    if probs.get(best, 0.0) >= MIN_PROBABILITY:
        return best
    return "fr" if _clearly_french(words) else UNKNOWN
