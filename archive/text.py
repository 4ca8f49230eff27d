"""How the archive compares text: character classes, the two folds, French calendar words.

One place for what used to be written four times (``analysis.fold``, ``gazetteer.fold`` and
the private folds of the date and type readers), so that a name typed in a filter box, in a
field search (``lieu:"pont de claix"``) and in a gazetteer all fold alike.

- ``fold_name``: for matching *names* (facet values, places, actors, themes): case, accents,
  apostrophes, spaces and invisible characters unified, a hyphen between letters read as a
  space (« Pont-de-Claix » = « pont de claix »), runs of spaces collapsed.
- ``fold_words``: for matching *words and patterns in running text* (date tokens, type cues):
  case, accents, apostrophes and spaces unified, one character per character otherwise, so
  hyphens, line breaks and layout stay for the patterns that read them.

The search analyzer (``archive.analysis``) keeps its own character map and tokenizer
classes: they decide the terms written into the index and change only with ANALYSIS_VERSION.
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------------------
# Character classes
# ---------------------------------------------------------------------------

# The straight apostrophe first, then what PDFs, word processors and web pages write for it.
APOSTROPHES = "'\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032\u201b"
# Spaces other than the plain space: no-break, narrow no-break (French typography before
# « ; : ! ? »), figure, thin, hair, en, em and the others of Unicode's Zs class.
SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"
# Dashes that join the parts of a compound (« Pont-de-Claix », « hauts‑fourneaux »).
HYPHENS = "-\u2010\u2011\u2012\u2013"
# Every dash, including those that only separate (em dash, horizontal bar, minus).
DASHES = HYPHENS + "\u2014\u2015\u2212"
# Characters that print nothing: soft hyphen, zero-width (non-)joiners and spaces, BOM.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

_COMBINING = re.compile("[\u0300-\u036f]")
_RUNS_OF_SPACE = re.compile(r"\s+")
_HYPHEN_BETWEEN_LETTERS = re.compile(rf"(?<=[^\W\d_])[{HYPHENS}](?=[^\W\d_])")
# Apostrophes are unified before decomposing: NFKD would turn « ´ » into a space and an accent.
_APOSTROPHE_TO_STRAIGHT = {ord(c): "'" for c in APOSTROPHES[1:]}
_UNIFY = {ord(c): " " for c in SPACES} | {ord("œ"): "oe", ord("æ"): "ae"} | dict.fromkeys(map(ord, INVISIBLE))


def strip_accents(text: str) -> str:
    """Compatibility-decomposed (NFKD), combining accents removed: « Électricité » → « Electricite »."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def fold_words(text: str) -> str:
    """Lowercase, accent-free, apostrophes and spaces unified, invisible characters removed;
    hyphens, line breaks and runs of spaces kept: for matching words and patterns in text."""
    return strip_accents(text.translate(_APOSTROPHE_TO_STRAIGHT)).lower().translate(_UNIFY)


def fold_name(text: str) -> str:
    """``fold_words``, then a hyphen between letters read as a space and spaces collapsed:
    for matching names (« Pont-de-Claix », « pont de claix » and « PONT DE CLAIX » are one)."""
    text = _HYPHEN_BETWEEN_LETTERS.sub(" ", fold_words(text))
    return _RUNS_OF_SPACE.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# French words
# ---------------------------------------------------------------------------

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# Abbreviations as French typography writes them (« avr. 2011 »).
MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# English names, met in datelines and read as calendar words rather than names.
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Language codes (ISO 639-1, as indexed) → their French names, as the app shows them.
LANGUAGE_NAMES = {
    "fr": "français",
    "en": "anglais",
    "de": "allemand",
    "es": "espagnol",
    "it": "italien",
    "pt": "portugais",
    "nl": "néerlandais",
    "ca": "catalan",
    "oc": "occitan",
    "br": "breton",
    "eu": "basque",
    "co": "corse",
    "und": "indéterminée",
    "": "indéterminée",
}
_ENGLISH_LANGUAGE_NAMES = {"french": "fr", "english": "en", "german": "de", "spanish": "es", "italian": "it"}


def number(n: int | float) -> str:
    """French thousands separator (narrow no-break space): 10 000."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", "\u202f").replace(".", ",")
    return f"{int(n):,}".replace(",", "\u202f")


def decimal(x: float, digits: int = 1) -> str:
    """A measure with a decimal comma, as French writes it: 4,8 s, 0,4 Mo."""
    return f"{x:.{digits}f}".replace(".", ",")


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 document », « 12 documents », « 1 000 documents »."""
    word = singular if n <= 1 else (plural_form or singular + "s")
    return f"{number(n)} {word}"


def language_code(name: str) -> str | None:
    """The code of a language typed by its French or English name (« français », « French »), or None."""
    folded = fold_words(name)
    for code, french in LANGUAGE_NAMES.items():
        if code and fold_words(french) == folded:
            return code
    return _ENGLISH_LANGUAGE_NAMES.get(folded)


ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Articles that may open a name (« la CGT », « l'Union européenne », « des Hauts-de-France »).
ARTICLES = ("de la", "la", "le", "les", "du", "des")
ELIDED_ARTICLES = ("de l", "l", "d")  # followed by an apostrophe
LEADING_ARTICLE = rf"(?:(?:{'|'.join(ARTICLES)})\s+|(?:{'|'.join(ELIDED_ARTICLES)})[{APOSTROPHES}]\s*)"
"""Regular expression (no anchor, no flags) of one leading article and the space after it."""


def with_and_without_accents(words: tuple[str, ...]) -> tuple[str, ...]:
    """Each word, then its accent-free spelling where it differs: regex alternatives."""
    out: list[str] = []
    for word in words:
        out += [word] if strip_accents(word) == word else [word, strip_accents(word)]
    return tuple(out)


# ---------------------------------------------------------------------------
# The archive's period
# ---------------------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 2011, 2026
PERIOD = f"{FIRST_YEAR}–{LAST_YEAR}"  # as written in messages: « 2011–2026 »


def in_period(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR
