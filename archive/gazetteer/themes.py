"""The theme gazetteer and its weighted scoring over the title, the first paragraph and the body."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from archive.gazetteer.actor_gazetteer import ActorsFound, actor_kind, find_actors
from archive.gazetteer.files import _load_yaml
from archive.gazetteer.matching import _STAR, Match, _compile, _key, _norm, _read, _surface

# Theme scoring (see match_themes).
STRONG_WEIGHT = 3.0
WEAK_WEIGHT = 0.25  # words every industrial text uses (« millions d'euros », « salariés »)
REPEAT_BONUS = 0.25
REPEAT_CAP = 5
TITLE_BONUS = 2.0
LEAD_BONUS = 1.0  # per term of the first paragraph (see match_themes)
MIN_SECONDARY_SCORE = 2.0
RELATIVE_THRESHOLD = 0.15
MAX_THEMES = 3
COUNTED_WEIGHT = 1.0  # a number of the label's counted nouns (« 281 salariés »), see themes.yaml
COUNTED_TERM = "N …"  # the term under which such counts are scored (evidence shows the first one)


# ---------------------------------------------------------------------------
# Themes
# ---------------------------------------------------------------------------


_TermInfo = dict[str, tuple[float, str]]  # label -> (weight, term as written in the YAML)


@dataclass
class _ThemeGazetteer:
    labels: list[str]
    terms: dict[str, _TermInfo]
    stars: list[tuple[str, _TermInfo]]
    regex: re.Pattern[str]
    # label -> pattern of « a number, then one of the label's counted nouns » (« 281 salariés »)
    counted: dict[str, re.Pattern[str]] = field(default_factory=dict)


# « 1 350 emplois », « 8 000 postes », « 3,000 jobs », « plus de 300 nouveaux emplois »: a number
# of jobs says the document is about jobs whatever else it names.
_NUMBER = r"(?<![\w.,])\d{1,3}(?:[ .,]\d{3})*(?:,\d+)?(?: ?(?:000|millions?|mille))?"
_COUNT_FILLER = r"(?:(?:nouveaux|nouvelles|autres|de|d'|new|neue|weitere) ){0,2}"


def _counted_pattern(nouns: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(_norm(n)) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"{_NUMBER} {_COUNT_FILLER}(?:{alternatives})(?!\w)")


def _theme_term_key(term: str) -> str:
    star = term.endswith(_STAR)
    key = _norm(term.rstrip(_STAR))
    return key + _STAR if star else key


@lru_cache(maxsize=1)
def _theme_gazetteer() -> _ThemeGazetteer:
    items = _load_yaml("themes.yaml") or []
    labels: list[str] = []
    terms: dict[str, _TermInfo] = {}
    ignored = [str(p) for item in items for p in item.get("ignore") or []]
    for item in items:
        label = item["label"]
        labels.append(label)
        weighted = [(str(t), 1.0) for t in item.get("terms") or []]
        weighted += [(str(t), STRONG_WEIGHT) for t in item.get("strong") or []]
        weighted += [(str(t), WEAK_WEIGHT) for t in item.get("weak") or []]
        for term, weight in weighted:
            info = terms.setdefault(_theme_term_key(term), {})
            if weight >= info.get(label, (0.0, ""))[0]:
                info[label] = (weight, term)
    for phrase in ignored:  # read (the longest match wins) and never counted
        terms.setdefault(_theme_term_key(phrase), {})
    stars = sorted(((k[:-1], v) for k, v in terms.items() if k.endswith(_STAR)), key=lambda kv: -len(kv[0]))
    counted = {item["label"]: _counted_pattern(map(str, item["counted"])) for item in items if item.get("counted")}
    return _ThemeGazetteer(labels=labels, terms=terms, stars=stars, regex=_compile(terms), counted=counted)


def is_theme_term(word: str) -> bool:
    """True when ``word`` (folded) is one of the themes' terms or starts a « … * » term."""
    gaz = _theme_gazetteer()
    key = _norm(word)
    return bool(gaz.terms.get(key)) or any(key.startswith(prefix) for prefix, _ in gaz.stars)


def theme_labels() -> list[str]:
    """The theme labels, in their fixed order."""
    return list(_theme_gazetteer().labels)


def _term_info(gaz: _ThemeGazetteer, key: str) -> _TermInfo:
    """Labels triggered by a found key: exact terms first, then « … * » prefixes."""
    if key in gaz.terms and not gaz.terms[key]:
        return {}  # an « ignore » phrase
    info = dict(gaz.terms.get(key, {}))
    for prefix, star_info in gaz.stars:
        if key.startswith(prefix):
            for label, value in star_info.items():
                info.setdefault(label, value)
    return info


_Counts = dict[tuple[str, str], tuple[float, int]]  # (label, term) -> (weight, occurrences)


# Names of these kinds of actors say nothing of a document's themes: « ministre de la
# Transition écologique », « Alès Agglomération », « FO Métaux ».
NAME_KINDS_WITHOUT_THEMES = ("État et ministères", "collectivités", "syndicats")


def institution_spans(found: ActorsFound) -> list[tuple[int, int]]:
    """Spans of the actor names whose words must not count as theme terms."""
    return [(s, e) for name, s, e in found.spans if actor_kind(name) in NAME_KINDS_WITHOUT_THEMES]


def _term_counts(
    gaz: _ThemeGazetteer, text: str, shown: dict[str, str], skip: Iterable[tuple[int, int]] = ()
) -> _Counts:
    """Occurrences of each (label, term) in ``text``; ``shown`` gets the first surface of « … * » terms."""
    counts: _Counts = {}
    prepared, folded = _read(text)
    skipped = sorted(skip)
    for m in gaz.regex.finditer(folded):
        if skipped and any(s <= m.start() and m.end() <= e for s, e in skipped):
            continue
        for label, (weight, term) in _term_info(gaz, _key(m.group())).items():
            if term.endswith(_STAR):
                shown.setdefault(term, _surface(prepared, m.start(), m.end()).lower())
            counts[label, term] = (weight, counts.get((label, term), (weight, 0))[1] + 1)
    for label, pattern in gaz.counted.items():
        for m in pattern.finditer(folded):
            if skipped and any(s <= m.start() and m.end() <= e for s, e in skipped):
                continue
            term = COUNTED_TERM
            shown.setdefault(term, _surface(prepared, m.start(), m.end()))
            counts[label, term] = (COUNTED_WEIGHT, counts.get((label, term), (COUNTED_WEIGHT, 0))[1] + 1)
    return counts


def _theme_scores(body: _Counts, title: _Counts, lead: _Counts | None = None) -> dict[str, dict[str, float]]:
    """Per label, per term: weight × (1 + bonus per repeat, capped) + title bonus + lead bonus."""
    scores: dict[str, dict[str, float]] = {}
    lead = lead or {}
    for label, term in body.keys() | title.keys():
        weight, count = body.get((label, term)) or (title[label, term][0], 0)
        score = weight * (1 + REPEAT_BONUS * (min(count, REPEAT_CAP) - 1)) if count else 0.0
        if (label, term) in title:
            score += TITLE_BONUS * weight
        if (label, term) in lead:
            score += LEAD_BONUS * weight
        scores.setdefault(label, {})[term] = score
    return scores


def match_themes(
    text: str, title: str = "", skip: Iterable[tuple[int, int]] | None = None, lead_end: int = 0
) -> list[Match]:
    """One to three themes, best first, with their triggering terms; [] if no term at all.

    Score of a theme = Σ over its distinct terms of weight × (1 + 0.25 per repeat, up
    to 5 occurrences), weight 3 for strong terms, 0.25 for weak ones and 1 otherwise, plus
    2 × weight for a term found in the title and 1 × weight for a term of the first
    paragraph (text up to ``lead_end``). The best theme is always kept; others are kept when
    they score at least MIN_SECONDARY_SCORE and at least RELATIVE_THRESHOLD of the best,
    up to three. Words inside the names of ministries, local authorities and unions do not
    count (``skip``: their spans in ``text`` when already known, see institution_spans).
    """
    gaz = _theme_gazetteer()
    shown: dict[str, str] = {}
    if skip is None:
        skip = institution_spans(find_actors(text))
    skip = list(skip)
    body = _term_counts(gaz, text, shown, skip)
    in_title = _term_counts(gaz, title, shown, institution_spans(find_actors(title))) if title else {}
    in_lead = _term_counts(gaz, text[:lead_end], shown, skip) if lead_end and LEAD_BONUS else {}
    scores = _theme_scores(body, in_title, in_lead)
    totals = {label: sum(terms.values()) for label, terms in scores.items()}
    order = {label: i for i, label in enumerate(gaz.labels)}
    ranked = sorted(totals, key=lambda lab: (-totals[lab], order[lab]))
    if not ranked:
        return []
    top = totals[ranked[0]]
    keep = [ranked[0]] + [
        lab for lab in ranked[1:] if totals[lab] >= max(MIN_SECONDARY_SCORE, RELATIVE_THRESHOLD * top)
    ]
    return [Match(lab, _theme_evidence(scores[lab], shown)) for lab in keep[:MAX_THEMES]]


def _theme_evidence(terms: dict[str, float], shown: dict[str, str]) -> tuple[str, ...]:
    """Terms by decreasing contribution, « … * » terms shown as first found."""
    ranked = sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(dict.fromkeys(shown.get(t, t) for t, _ in ranked))
