"""A document's title: the embedded one (PDF, DOCX, a page's headline) cleaned of its site and genre
labels, else the first line that reads like a headline: not a dateline, not an outlet's masthead, not
a sender's letterhead, not a label saying what kind of document it is.

Measured on the annotated sets (title exact, folded): ``benchmarks/bench_metadata.py``.
"""

from __future__ import annotations

import re

from archive import gazetteer, vocab_files
from archive.text import fold_name
from indexer import entities
from indexer.dates import find_dates, parse_date

__all__ = ["TITLE_MAX", "clean_hint", "guess_title", "publication_in", "title_rule"]

TITLE_MAX = 140
_SKIP_LINE = re.compile(
    r"^(?:https?://|www\.|réf\.?\s*:|ref\.?\s*:|page \d+|revenir à|par |by |von |publié|mis à jour|mise à jour)",
    re.IGNORECASE,
)
# A news agency's dateline: « GRENOBLE (AFP) — », « Paris, 12 mars (Reuters) - ».
_AGENCY = re.compile(r"\((?:AFP|Reuters|AP|dpa|ANSA|Belga|ATS|APS|Xinhua)\)", re.IGNORECASE)
_SECTION_SEPARATOR = re.compile(r"\s+[|–—•/-]\s+|\s*[|•]\s*")
DATELINE_MAX_WORDS = 5  # a date and at most a few words (a town, « le », a weekday)


# A line, or an embedded title, that only says what kind of document it is.
_DOC_LABEL = re.compile(
    r"^(?:communiqué(?: de presse)?|press release|pressemitteilung|dossier de presse|information presse|"
    r"invitation presse|note d'information|compte rendu|extrait du registre des délibérations.*|"
    r"délibération n\s*°\s*\S+)\W*$",
    re.IGNORECASE,
)
# A genre label before the headline in a page's title: « Tribune – Réindustrialiser, … ».
_GENRE_PREFIX = re.compile(
    r"^(?:tribune|communiqué(?: de presse)?|entretien|interview|point de vue|opinion|édito|éditorial|analyse|"
    r"décryptage)\s*[–—:-]\s+",
    re.IGNORECASE,
)
_SITE_SUFFIX = re.compile(r"\s+[–—-]\s+(?P<site>[^–—|]{2,50})$")
SITE_MAX_WORDS = 6
_NAME_SMALL_WORDS = frozenset("de des du d' la le les l' & et en sur".split())


def _is_site_name(site: str) -> bool:
    """« Ouest Énergies », « Le Fil Éco Rhône-Alpes », « Lyon Entreprises & Territoires », « senat.fr »:
    a name (capitalised words and small words) or a domain, not words of a sentence."""
    site = site.replace("’", "'").strip()
    if re.fullmatch(r"[\w.-]+\.(?:fr|com|org|eu|net|gouv\.fr|info)", site, re.IGNORECASE):
        return True
    words = site.split()
    if not words or len(words) > SITE_MAX_WORDS or not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w.lower() in _NAME_SMALL_WORDS or w.lower().startswith("l'") for w in words)


def clean_hint(hint: str) -> str | None:
    """An embedded title without the site around it (« Bouin : Lhyfe inaugure … | Ouest Énergies »,
    « Avenir des fonderies du Cher - Sénat ») or a genre label before it; None when it only names the
    kind of document (« COMMUNIQUÉ DE PRESSE »)."""
    title = " ".join(hint.split())
    if _DOC_LABEL.match(title):
        return None
    parts = [part for part in re.split(r"\s+\|\s+", title) if part]
    if len(parts) > 1:
        title = max(parts, key=len)
    site = _SITE_SUFFIX.search(title)
    if site and _is_site_name(site.group("site")) and len(title[: site.start()].split()) >= 4:
        title = title[: site.start()]
    title = _GENRE_PREFIX.sub("", title)
    return None if not title or _is_letterhead(title) else title


# A sender's letterhead on the first lines: « CFDT – Section syndicale Michelin Joué-lès-Tours »,
# « COMMUNAUTÉ D'AGGLOMÉRATION DU PAYS AJACCIEN », « SUD Renault Cléon – Union syndicale Solidaires ».
_SENDER = re.compile(
    r"\b(?:syndicats?|intersyndicale|section syndicale|union (?:départementale|locale|syndicale|régionale)|fédération|"
    r"communauté (?:d'agglomération|de communes|urbaine)|métropole|conseil (?:régional|départemental|municipal)|"
    r"préfecture|préf(?:et|ète)|ministère|sénat|assemblée nationale|cour des comptes|ceser|région)\b",
    re.IGNORECASE,
)
# A union's or a sender's name opening the line: « Syndicat Chimie Énergie Centre-Val de Loire »,
# « FO MÉTAUX SAÔNE-ET-LOIRE », « CGT Michelin Cholet ».
_SENDER_FIRST = re.compile(
    r"^(?:(?i:syndicat|section syndicale|union (?:départementale|locale|syndicale)|fédération|intersyndicale)|"
    r"CGT|CFDT|FO|CFE-CGC|CFTC|UNSA|SUD|Solidaires)\b"
)
_PLACE_PARTS = re.compile(r"\s+[–—|•-]\s+|\s*[/|•]\s*")
LETTERHEAD_MAX_WORDS = 10
LETTERHEAD_LINES = 5  # the first non-blank lines, where a letterhead stands


def _is_letterhead(line: str) -> bool:
    """A short line naming a sender, in capitals or cut into parts by a dash (no headline
    punctuation: a colon, a question or an exclamation)."""
    first = _SECTION_SEPARATOR.split(line, maxsplit=1)[0]
    if first != line and first.isupper() and _SENDER.search(first.replace("’", "'")):
        return True  # « SÉNAT – Commission d'enquête sur l'utilisation des aides publiques … »
    if len(line.split()) > LETTERHEAD_MAX_WORDS or re.search(r"[:?!«»]", line):
        return False
    if not (_SENDER.search(line.replace("’", "'")) or _SENDER_FIRST.match(line)):
        return False
    letters = [c for c in line if c.isalpha()]
    shouted = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    return shouted or _SECTION_SEPARATOR.search(line) is not None or _SENDER_FIRST.match(line) is not None


def _only_places(line: str) -> bool:
    """A breadcrumb of places: « Marseille – Fos-sur-Mer », « Isère / Roussillon »."""
    parts = [part for part in _PLACE_PARTS.split(line) if part]
    return len(parts) >= 2 and all(gazetteer.place_info(part) is not None for part in parts)


# A dateline and the headline on one line: « DUNKIRK, France, May 15, 2023 - Orano and XTC pick … ».
_DATELINE_THEN_HEADLINE = re.compile(r"^(?P<dateline>.{4,60}?\d{4})\s+[–—-]\s+(?P<headline>.+)$")


def _headline_after_dateline(line: str) -> str | None:
    m = _DATELINE_THEN_HEADLINE.match(line)
    if m is None or not find_dates(m.group("dateline")) or len(m.group("headline").split()) < 4:
        return None
    return m.group("headline")


# An outlet's name that the vocabulary does not know: « La République du Val — Économie »,
# « Rüstung & Zulieferer – Wochendienst », « Ouest-Bretagne Économie », « Defence Industry Brief ».
_SECTION = (
    r"(?:économie|éco|industrie|entreprises|actualités?|régions?|business|news|nachrichten|wirtschaft|"
    r"wochendienst|politique|social|emploi|énergies?)"
)
_SECTION_LINE = re.compile(rf"^[^:?!]{{2,60}}\s[–—|•]\s*{_SECTION}$", re.IGNORECASE)
_NEWSLETTER_LINE = re.compile(
    rf"^(?:[A-ZÀ-Ý][\w'’&-]*\s+){{0,4}}(?:Brief|Briefing|Wire|Newsletter|Digest|Daily|Weekly|Monitor|{_SECTION})$",
    re.IGNORECASE,
)


def _looks_like_an_outlet(line: str) -> bool:
    if _SECTION_LINE.match(line):
        return True
    words = line.split()
    return len(words) <= 5 and all(w[:1].isupper() for w in words) and _NEWSLETTER_LINE.match(line) is not None


def guess_title(text: str, hint: str | None, fallback: str) -> str:
    """The embedded title when there is one, else the first line that reads like a title."""
    cleaned = clean_hint(hint) if hint and len(hint.strip()) > 3 else None
    if cleaned and len(cleaned) > 3:
        return _shorten(cleaned)
    number = 0  # non-blank lines seen: a letterhead stands on the first ones
    lines = text[: TITLE_MAX * 200].splitlines()
    for index, line in enumerate(lines):
        # Only the start of a line can be a title; it also keeps one huge line cheap.
        line = " ".join(line[: TITLE_MAX * 3].replace("*", " ").replace("#", " ").split())
        number += bool(line)
        if len(line) < 4 or len(line.split()) < 2 or _SKIP_LINE.match(line) or _only_places(line):
            continue
        headline = _headline_after_dateline(line)
        if headline:
            return _shorten(_sentence_case(headline, text))
        words = _words_beside_dates(line)
        if parse_date(line) is not None or words == []:
            continue  # nothing but a date (« Mardi 12 mars 2019 », « 12/03/2019 – 14 h 30 »)
        if _is_dateline(line, words):
            continue  # a dateline is never a title: the headline is under it
        if _is_masthead(line) or _looks_like_an_outlet(line):
            continue  # nor is the outlet's name: « La Voix du Nord | Économie »
        if _DOC_LABEL.match(line) or (number <= LETTERHEAD_LINES and _is_letterhead(line)):
            continue  # nor « COMMUNIQUÉ DE PRESSE », nor the sender's letterhead
        return _shorten(_sentence_case(_continued(line, lines, index), text))
    return fallback.replace("_", " ")


def _is_masthead(line: str) -> bool:
    """The line is a news outlet's name (archive/vocab/mastheads.yaml), perhaps followed by a
    section after a separator (« Ouest-France – Économie », « L'Usine Nouvelle | Industrie »)."""
    return _masthead_of(line) is not None


def _masthead_of(line: str) -> str | None:
    """The outlet a masthead line names, as the vocabulary spells it (None if it is no masthead)."""
    head = _SECTION_SEPARATOR.split(line.strip(" *#_"), maxsplit=1)[0]
    return _mastheads().get(fold_name(head))


def publication_in(text: str) -> str | None:
    """The outlet whose masthead stands on one of the first lines (« La Voix du Nord | Économie »)."""
    lines = [line for line in text[:2000].splitlines() if line.strip()][: entities.MASTHEAD_LINES]
    return next((name for name in map(_masthead_of, lines) if name), None)


def _mastheads() -> dict[str, str]:
    return vocab_files.load("mastheads.yaml", _masthead_table)


def _masthead_table(data: object) -> dict[str, str]:
    """Folded name → the vocabulary's spelling (a named function: the loader caches per builder)."""
    return {fold_name(n): n for n in vocab_files.word_list(data, "mastheads", "mastheads.yaml")}


def _words_beside_dates(line: str) -> list[str] | None:
    """The words of ``line`` once its dates are taken out (None when it has no date); a hyphenated
    place is one word: « Saint-Quentin-Lamotte-Croix-au-Bailly, le 12 février 2024 »."""
    found = find_dates(line)
    if not found:
        return None
    rest = line
    for m in reversed(found):
        rest = rest[: m.start] + " " + rest[m.end :]
    return re.findall(r"[^\W\d_]{2,}(?:-[\w']+)*", rest)


def _is_dateline(line: str, words: list[str] | None) -> bool:
    """« GRENOBLE (AFP) — 12 mars 2019 », « Lyon, le 3 mai 2021 – »: an agency mark, or a
    date with only a few words around it (``words``: ``_words_beside_dates(line)``)."""
    if _AGENCY.search(line[:80]):
        return True
    return words is not None and len(words) <= DATELINE_MAX_WORDS and len(line) < 80


def _continued(line: str, lines: list[str], index: int) -> str:
    """A title that a hard line break cut (« … pour renforcer la » / « politique industrielle française. »):
    the next line joined when this one ends without punctuation and the next starts in lower case."""
    if index + 1 >= len(lines) or line.endswith((".", "!", "?", ":", "»", ")")) or len(line) >= TITLE_MAX:
        return line
    following = " ".join(lines[index + 1].split())
    if following[:1].islower():
        return f"{line} {following}"
    return line


def _sentence_case(line: str, text: str = "") -> str:
    """A line written in capitals in sentence case, its names as ``text`` writes them elsewhere
    (« VISITE GUILLAUME BASSET » → « Visite Guillaume Basset » when the text says « Guillaume Basset »)."""
    letters = [c for c in line if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) <= 0.8:
        return line
    lowered = line[:1].upper() + line[1:].lower()
    names = _capitalised_words(text)
    cased = _WORD.sub(lambda m: names.get(m.group(), m.group()), lowered)
    # A name in guillemets starts with a capital (« DU PROGRAMME «TERRITOIRES D'INDUSTRIE» »).
    return _AFTER_GUILLEMET.sub(lambda m: m.group(1) + m.group(2).upper(), cased)


_AFTER_GUILLEMET = re.compile(r"(«[\s\u00a0\u202f]*)([^\W\d_])")


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ELISION = re.compile(r"^(?:[dlnjsc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def _capitalised_words(text: str) -> dict[str, str]:
    """Words the text writes with a capital and never in lower case (not after a sentence end),
    by their lower-case form: its proper names."""
    capital: dict[str, str] = {}
    lower: set[str] = set()
    for m in _WORD.finditer(text[:20_000]):
        word = _ELISION.sub("", m.group())  # « d'Alès » writes « Alès »
        if not word:
            continue
        if word.islower():
            lower.add(word)
        elif word[:1].isupper() and not word.isupper() and len(word) > 3 and not _sentence_start(text, m.start()):
            capital.setdefault(word.lower(), word)
    # « Guillaume BASSET »: a surname in capitals after a first name is a name too
    for m in _FIRST_NAME_SURNAME.finditer(text[:20_000]):
        capital.setdefault(m.group("surname").lower(), m.group("surname").capitalize())
    return {k: v for k, v in capital.items() if k not in lower}


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \u00a0«\"'")
    return not before or before.endswith((".", "\n", "!", "?", ":"))


_FIRST_NAME_SURNAME = re.compile(
    r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?[ \u00a0]+(?P<surname>[A-ZÀ-Ý]{2,}(?:-[A-ZÀ-Ý]{2,})?)\b"
)


def _shorten(line: str) -> str:
    if len(line) <= TITLE_MAX:
        return line
    return line[:TITLE_MAX].rsplit(" ", 1)[0] + " …"


def title_rule(title: str, sidecar: dict, hint: str | None, stem: str) -> str:
    """Which rule gave the title: sidecar, embedded (the file's own title), first_line or file_name."""
    if "title" in sidecar:
        return "sidecar"
    cleaned = clean_hint(hint) if hint and len(hint.strip()) > 3 else None
    if cleaned and title == _shorten(cleaned):
        return "embedded"
    if title == stem.replace("_", " "):
        return "file_name"
    return "first_line"
