"""The theme gazetteer, its weighted scoring over the title, the first paragraph and the body, and
the choice of themes (by the trained model of theme_model when its file is there)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from archive.gazetteer.actor_gazetteer import ActorsFound, actor_kind, find_actors
from archive.gazetteer.files import _load_yaml
from archive.gazetteer.matching import _STAR, Match, _compile, _key, _norm, _read, _surface
from archive.gazetteer.theme_model import ThemeInputs, ThemeModel, Words, load_model, words

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


@dataclass
class ThemeReading:
    """The trigger terms found in a document, by zone, and the rules' scores."""

    body: _Counts
    title: _Counts
    lead: _Counts
    scores: dict[str, dict[str, float]]  # label -> term -> contribution
    ranked: list[str]  # labels by decreasing score (ties: the labels' fixed order)
    shown: dict[str, str]  # « … * » terms as first written


def read_themes(
    text: str, title: str = "", skip: Iterable[tuple[int, int]] | None = None, lead_end: int = 0
) -> ThemeReading:
    """Trigger terms of the body, the title and the first paragraph (text up to ``lead_end``)."""
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
    return ThemeReading(body, in_title, in_lead, scores, ranked, shown)


def match_themes(
    text: str, title: str = "", skip: Iterable[tuple[int, int]] | None = None, lead_end: int = 0
) -> list[Match]:
    """One to three themes, best first, with their triggering terms; [] if no term at all.

    Score of a theme = Σ over its distinct terms of weight × (1 + 0.25 per repeat, up
    to 5 occurrences), weight 3 for strong terms, 0.25 for weak ones and 1 otherwise, plus
    2 × weight for a term found in the title and 1 × weight for a term of the first
    paragraph (text up to ``lead_end``). Words inside the names of ministries, local
    authorities and unions do not count (``skip``: their spans in ``text`` when already
    known, see institution_spans).

    Which themes are kept: with the trained model (theme_model.json, see theme_model), the
    themes whose probability reaches its threshold, the best always, evidence = the trigger
    terms then the words that weigh most; without it, the rules (rule_themes).
    """
    reading = read_themes(text, title, skip, lead_end)
    if not reading.ranked:
        return []
    model = load_model()
    if model is not None and model.labels == _theme_gazetteer().labels:
        return _model_themes(model, reading, text, title, lead_end)
    return rule_themes(reading)


def rule_themes(reading: ThemeReading, min_secondary: float = MIN_SECONDARY_SCORE) -> list[Match]:
    """The rules: the best theme, then others scoring at least ``min_secondary`` and
    RELATIVE_THRESHOLD of the best, up to MAX_THEMES."""
    totals = {label: sum(terms.values()) for label, terms in reading.scores.items()}
    if not reading.ranked:
        return []
    top = totals[reading.ranked[0]]
    keep = [reading.ranked[0]] + [
        lab for lab in reading.ranked[1:] if totals[lab] >= max(min_secondary, RELATIVE_THRESHOLD * top)
    ]
    return [Match(lab, _theme_evidence(reading.scores[lab], reading.shown)) for lab in keep[:MAX_THEMES]]


def _zone_weights(counts: _Counts) -> dict[str, float]:
    """Σ of the weights of each label's distinct terms found in a zone (title, first paragraph)."""
    out: dict[str, float] = {}
    for (label, _), (weight, _) in counts.items():
        out[label] = out.get(label, 0.0) + weight
    return out


def theme_inputs(reading: ThemeReading, text: str, title: str = "", lead_end: int = 0) -> ThemeInputs:
    """What the learnt model reads of a document (see theme_model)."""
    folded = _read(text)[1]
    return ThemeInputs(
        totals={lab: sum(v.values()) for lab, v in reading.scores.items()},
        body={lab: sum(v.values()) for lab, v in _theme_scores(reading.body, {}, {}).items()},
        title=_zone_weights(reading.title),
        lead=_zone_weights(reading.lead),
        order=reading.ranked,
        body_words=words(folded),
        title_words=words(_read(title)[1]) if title else Words(),
        lead_words=words(folded[:lead_end]) if lead_end else Words(),
    )


def _model_themes(model: ThemeModel, reading: ThemeReading, text: str, title: str, lead_end: int) -> list[Match]:
    inputs = theme_inputs(reading, text, title, lead_end)
    out = []
    for label, stems in model.decide(inputs):
        terms = _theme_evidence(reading.scores.get(label, {}), reading.shown)
        seen = [_norm(t) for t in terms]  # a word already inside a trigger term is not shown again
        extra = [
            w for w in (_word_surface(stem, text, title, inputs) for stem in stems) if w and not _inside(_norm(w), seen)
        ]
        out.append(Match(label, terms + tuple(dict.fromkeys(extra))))
    return out


def _inside(word: str, terms: list[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", term) for term in terms)


def _word_surface(stem: str, text: str, title: str, inputs: ThemeInputs) -> str:
    """The word of the document a stem stands for, as first written (« licenciements »)."""
    for source, found in ((text, inputs.body_words), (title, inputs.title_words)):
        span = found.first.get(stem)
        if span is not None:
            return _surface(_read(source)[0], *span).lower()
    return ""


def _theme_evidence(terms: dict[str, float], shown: dict[str, str]) -> tuple[str, ...]:
    """Terms by decreasing contribution, « … * » terms shown as first found."""
    ranked = sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(dict.fromkeys(shown.get(t, t) for t, _ in ranked))
