"""The learnt theme decision: a small linear model over the trigger-term scores and the document's words.

The trigger terms (themes.yaml) still find the candidate themes and their evidence; which of
them a document gets is decided by a logistic model trained on the annotated documents
(``python -m indexer.train_themes`` writes ``archive/vocab/theme_model.json``). For each
(document, theme) pair the model reads the theme's trigger score (total, body, title, first
paragraph, rank among the themes, share of the best) and the score of a per-theme linear
model over the document's folded, truncated words; a theme is kept when its probability
reaches the file's threshold (the best candidate always), at most ``max_themes``.

Numpy only, no model library at run time. Without the file, the trigger-term rules decide.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from archive.gazetteer.files import vocab_file

log = logging.getLogger("archive.gazetteer")

MODEL_FILE = "theme_model.json"
# Words are cut to their first 5 letters (« licenciements » → « licen »): 5 beat 6 in every one of ten
# cross-validation fold assignments on dev (benchmarks/RESULTS.md, « Themes, fifth round »).
STEM_LENGTH = 5
_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
STOPWORDS = frozenset(
    "les des une dans pour par sur avec qui que est sont aux ont ete plus son ses leur leurs cette "
    "mais comme entre apres avant sans tout tous elle elles ils nous vous aussi depuis contre fait "
    "etre avoir deux dont lors selon chez sous the and for with der die das und von".split()
)
# Features of a (document, theme) pair, in the order of the model's weights.
TRIGGER_FEATURES = ("score", "body", "title", "lead", "rank1", "rank2", "rank3", "share")
FEATURES = (*TRIGGER_FEATURES, "words")
TITLE_WORD_WEIGHT = 2.0
LEAD_WORD_WEIGHT = 1.0
MAX_WORD_EVIDENCE = 3  # words shown after the trigger terms
MIN_WORD_CONTRIBUTION = 0.05  # a word shown adds at least this much to the theme's word score


@dataclass
class Words:
    """The stems of a text, their counts, and where each was first seen (to show it)."""

    counts: Counter[str] = field(default_factory=Counter)
    first: dict[str, tuple[int, int]] = field(default_factory=dict)


def words(folded: str) -> Words:
    """Stems of the words of a folded text (lower case, no accents), stop words aside."""
    out = Words()
    for m in _WORD.finditer(folded):
        token = m.group()
        if token in STOPWORDS:
            continue
        stem = token[:STEM_LENGTH]
        out.counts[stem] += 1
        out.first.setdefault(stem, m.span())
    return out


@dataclass
class ThemeInputs:
    """What the trigger-term rules measured in one document, per theme label."""

    totals: dict[str, float]  # the rules' score (title and first-paragraph bonuses included)
    body: dict[str, float]  # the same without the bonuses
    title: dict[str, float]  # Σ weights of the label's terms found in the title
    lead: dict[str, float]  # Σ weights of the label's terms found in the first paragraph
    order: list[str]  # labels by decreasing rule score (ties: the labels' fixed order)
    body_words: Words = field(default_factory=Words)
    title_words: Words = field(default_factory=Words)
    lead_words: Words = field(default_factory=Words)


def trigger_features(labels: list[str], inputs: ThemeInputs) -> np.ndarray:
    """One row per label: TRIGGER_FEATURES."""
    top = inputs.totals[inputs.order[0]] if inputs.order else 0.0
    rank = {label: i for i, label in enumerate(inputs.order)}
    rows = np.zeros((len(labels), len(TRIGGER_FEATURES)))
    for i, label in enumerate(labels):
        score = inputs.totals.get(label, 0.0)
        r = rank.get(label, -1)
        rows[i] = (
            math.log1p(score),
            math.log1p(inputs.body.get(label, 0.0)),
            math.log1p(inputs.title.get(label, 0.0)),
            math.log1p(inputs.lead.get(label, 0.0)),
            r == 0,
            r == 1,
            r == 2,
            score / top if top else 0.0,
        )
    return rows


def word_vector(vocabulary: dict[str, int], inputs: ThemeInputs) -> np.ndarray:
    """1 + log(count) per known stem, +2 if in the title, +1 if in the first paragraph, unit length."""
    vector = np.zeros(len(vocabulary))
    for stem, count in inputs.body_words.counts.items():
        j = vocabulary.get(stem)
        if j is not None:
            vector[j] += 1.0 + math.log(count)
    for zone, weight in ((inputs.title_words, TITLE_WORD_WEIGHT), (inputs.lead_words, LEAD_WORD_WEIGHT)):
        for stem in zone.counts:
            j = vocabulary.get(stem)
            if j is not None:
                vector[j] += weight
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


@dataclass
class ThemeModel:
    """The weights of theme_model.json (see the module's docstring)."""

    labels: list[str]
    vocabulary: dict[str, int]
    word_weights: np.ndarray  # (stems, labels)
    word_bias: np.ndarray  # (labels,)
    weights: np.ndarray  # (FEATURES,)
    label_bias: np.ndarray  # (labels,)
    threshold: float
    max_themes: int

    def word_scores(self, vector: np.ndarray) -> np.ndarray:
        return vector @ self.word_weights + self.word_bias

    def probabilities(self, inputs: ThemeInputs, vector: np.ndarray | None = None) -> np.ndarray:
        """Probability of each label (in ``labels`` order)."""
        vector = word_vector(self.vocabulary, inputs) if vector is None else vector
        features = np.hstack([trigger_features(self.labels, inputs), self.word_scores(vector)[:, None]])
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.label_bias)))

    def decide(self, inputs: ThemeInputs) -> list[tuple[str, list[str]]]:
        """The themes kept, best first, each with its most telling words (stems, best first)."""
        if not inputs.order:
            return []  # no trigger term at all: no theme
        vector = word_vector(self.vocabulary, inputs)
        probabilities = self.probabilities(inputs, vector)
        ranked = sorted(range(len(self.labels)), key=lambda j: (-probabilities[j], j))
        kept = [ranked[0]] + [j for j in ranked[1 : self.max_themes] if probabilities[j] >= self.threshold]
        # Shown in the order of the trigger score (a title term puts its theme first).
        rank = {label: i for i, label in enumerate(inputs.order)}
        kept.sort(key=lambda j: (rank.get(self.labels[j], len(rank)), -probabilities[j]))
        stems = list(self.vocabulary)
        out = []
        for j in kept:
            contribution = vector * self.word_weights[:, j]
            best = [
                i
                for i in np.argsort(-contribution, kind="stable")[:MAX_WORD_EVIDENCE]
                if contribution[i] >= MIN_WORD_CONTRIBUTION
            ]
            out.append((self.labels[j], [stems[i] for i in best]))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "features": list(FEATURES),
            "weights": _rounded(self.weights),
            "label_bias": _rounded(self.label_bias),
            "threshold": round(float(self.threshold), 4),
            "max_themes": self.max_themes,
            "stem_length": STEM_LENGTH,
            "word_bias": _rounded(self.word_bias),
            "vocabulary": {stem: _rounded(self.word_weights[i]) for stem, i in self.vocabulary.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThemeModel:
        if data.get("features") != list(FEATURES) or data.get("stem_length") != STEM_LENGTH:
            raise ValueError("theme_model.json does not match this version's features")
        stems = list(data["vocabulary"])
        labels = list(data["labels"])
        return cls(
            labels=labels,
            vocabulary={stem: i for i, stem in enumerate(stems)},
            word_weights=np.array([data["vocabulary"][s] for s in stems], dtype=float).reshape(len(stems), len(labels)),
            word_bias=np.array(data["word_bias"], dtype=float),
            weights=np.array(data["weights"], dtype=float),
            label_bias=np.array(data["label_bias"], dtype=float),
            threshold=float(data["threshold"]),
            max_themes=int(data["max_themes"]),
        )


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 4) for v in np.asarray(values).ravel()]


@lru_cache(maxsize=1)
def load_model() -> ThemeModel | None:
    """The trained model of the vocabulary folder, or None (then the rules decide).

    A file this version cannot read (written by another version, or damaged) is set aside with a
    warning: indexing goes on with the rules instead of failing on every document."""
    path = vocab_file(MODEL_FILE)
    try:
        with path.open(encoding="utf-8") as handle:
            return ThemeModel.from_json(json.load(handle))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        log.warning(
            "%s illisible (%s) : les thèmes sont choisis par les termes déclencheurs ; "
            "réentraîner avec « python -m indexer.train_themes »",
            path,
            error,
        )
        return None
