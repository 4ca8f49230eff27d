"""Train the theme model on the annotated documents, and measure it against the rules out of sample.

    python -m indexer.train_themes          # writes archive/vocab/theme_model.json (deterministic)
    python -m indexer.train_themes --cv     # cross-validated micro-F1 of each method, nothing written
    python -m indexer.train_themes --cv --repeats 5   # the same, 5-fold CV averaged over 5 fold assignments

Training data: the seed set (tests/data/annotated) and the dev half (tests/data/eval/dev1, dev2,
dev3, dev4). The test half (test1, test2, test3) is never read here. Each document goes through the
indexer's own path (extraction, record, site chrome masked, first paragraph), so the model sees
what it will see at indexing time.

The model (see archive/gazetteer/theme_model.py): a one-vs-rest L2 logistic regression per theme
over the document's words, whose out-of-fold score joins the theme's trigger-score features in a
second logistic regression shared by all themes (plus one bias per theme); the decision
threshold is picked on out-of-fold probabilities. Numpy only: full-batch gradient descent with
Nesterov momentum and a fixed number of steps, so the file is the same at every run.

Cross-validation (``--cv``): the dev documents are cut into 5 folds (every 5th document, sorted
by set and name); each fold is scored by a method trained on the seed set and the 4 other folds.
Also: leave one dev set out (a topic shift, like the test half) and trained on dev, scored on seed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from archive import gazetteer
from archive.gazetteer import themes as theme_rules
from archive.gazetteer.theme_model import (
    MODEL_FILE,
    ThemeInputs,
    ThemeModel,
    trigger_features,
    word_vector,
)

ROOT = Path(__file__).resolve().parent.parent
ANNOTATED = ROOT / "tests" / "data" / "annotated"
EVAL = ROOT / "tests" / "data" / "eval"
TRAINING_SETS = {
    "seed": [ANNOTATED],
    "dev": [EVAL / "dev1", EVAL / "dev2", EVAL / "dev3", EVAL / "dev4", EVAL / "dev5"],
}
OUTPUT = gazetteer.VOCAB_DIR / MODEL_FILE

MIN_DOCUMENT_FREQUENCY = 2  # a word must be in two training documents to get a weight
# L2 penalty of the per-theme word models (on the summed log-loss): 0.1 chosen by cross-validation
# on dev (benchmarks/RESULTS.md, « Themes, fifth round »; 0.3 before).
WORD_PENALTY = 0.1
STACK_PENALTY = 1.0  # L2 penalty of the shared model
INNER_FOLDS = 4  # out-of-fold word scores and threshold, inside the training documents
THRESHOLDS = tuple(round(0.1 + 0.025 * i, 3) for i in range(29))  # 0.1 … 0.8
THRESHOLD_TOLERANCE = 0.005  # out-of-fold micro-F1 differences below this are noise (see _threshold)
MAX_THEMES = 3
STEPS = 500


@dataclass
class Annotated:
    """One annotated document as the theme code reads it."""

    set: str
    folder: str
    name: str
    expected: frozenset[str]
    reading: theme_rules.ThemeReading
    inputs: ThemeInputs


def load_documents(sets: Sequence[str] = ("seed", "dev")) -> list[Annotated]:
    """The annotated documents of ``sets``, read as the indexer reads them (sorted, deterministic)."""
    from indexer import entities
    from indexer.extract import extract
    from indexer.metadata import GAZETTEER_CHARS, build_record
    from indexer.metadata_chrome import mask_chrome

    out: list[Annotated] = []
    for set_name in sets:
        for folder in TRAINING_SETS[set_name]:
            with (folder / "expected.yaml").open(encoding="utf-8") as handle:
                expected = yaml.safe_load(handle)
            for name in sorted(expected):
                path = folder / "docs" / name
                record = build_record(
                    doc_id="train",
                    paths=[path.name],
                    extraction=extract(path),
                    sidecar={},
                    sha256="0" * 64,
                    size=path.stat().st_size,
                )
                text = mask_chrome(record.text[:GAZETTEER_CHARS])
                skip = gazetteer.institution_spans(gazetteer.find_actors(text))
                lead_end = entities.lead_end(text)
                reading = theme_rules.read_themes(text, record.title, skip, lead_end)
                inputs = theme_rules.theme_inputs(reading, text, record.title, lead_end)
                themes = frozenset(expected[name].get("themes") or [])
                out.append(Annotated(set_name, folder.name, name, themes, reading, inputs))
    return out


# -- learning (numpy) ------------------------------------------------------------------------


def fit_logistic(x: np.ndarray, y: np.ndarray, penalty: float, steps: int = STEPS) -> tuple[np.ndarray, np.ndarray]:
    """L2 logistic regression of every column of ``y`` on ``x`` (biases not penalised):
    Nesterov-accelerated gradient descent, step 1/L, a fixed number of steps."""
    n, d = x.shape
    labels = y.shape[1]
    lipschitz = (np.linalg.norm(x, 2) ** 2 + n) / 4 + penalty
    step = 1.0 / lipschitz
    theta = np.zeros((d + 1, labels))
    previous = theta.copy()
    xb = np.hstack([x, np.ones((n, 1))])
    mask = np.ones((d + 1, 1))
    mask[-1] = 0.0
    for k in range(1, steps + 1):
        look = theta + (k - 1) / (k + 2) * (theta - previous)
        p = 1.0 / (1.0 + np.exp(-(xb @ look)))
        gradient = xb.T @ (p - y) + penalty * mask * look
        previous, theta = theta, look - step * gradient
    return theta[:-1], theta[-1]


def fit_logistic_kernel(
    x: np.ndarray, y: np.ndarray, penalty: float, steps: int = STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """``fit_logistic`` for more columns than rows (the word models: ~2 000 stems, ~140 documents).

    Gradient descent from zero keeps the weights in the span of the rows (w = xᵀa), so the same
    iterates are run on a (documents × documents) Gram matrix: the same weights, a dozen times faster."""
    n = x.shape[0]
    labels = y.shape[1]
    gram = x @ x.T
    lipschitz = (np.linalg.norm(gram, 2) + n) / 4 + penalty
    step = 1.0 / lipschitz
    a, bias = np.zeros((n, labels)), np.zeros(labels)
    previous_a, previous_bias = a.copy(), bias.copy()
    for k in range(1, steps + 1):
        momentum = (k - 1) / (k + 2)
        look_a = a + momentum * (a - previous_a)
        look_bias = bias + momentum * (bias - previous_bias)
        residual = 1.0 / (1.0 + np.exp(-(gram @ look_a + look_bias))) - y
        previous_a, previous_bias = a, bias
        a = look_a - step * (residual + penalty * look_a)
        bias = look_bias - step * residual.sum(axis=0)
    return x.T @ a, bias


def _labels(inputs_probabilities: np.ndarray, threshold: float, labels: list[str]) -> set[str]:
    ranked = sorted(range(len(labels)), key=lambda j: (-inputs_probabilities[j], j))
    kept = [ranked[0]] + [j for j in ranked[1:MAX_THEMES] if inputs_probabilities[j] >= threshold]
    return {labels[j] for j in kept}


def micro_f1(found: Sequence[set[str]], expected: Sequence[frozenset[str]]) -> float:
    tp = sum(len(f & e) for f, e in zip(found, expected, strict=True))
    fp = sum(len(f - e) for f, e in zip(found, expected, strict=True))
    fn = sum(len(e - f) for f, e in zip(found, expected, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def _vocabulary(docs: Sequence[Annotated]) -> dict[str, int]:
    frequency = Counter(s for d in docs for s in set(d.inputs.body_words.counts) | set(d.inputs.title_words.counts))
    kept = sorted(s for s, c in frequency.items() if c >= MIN_DOCUMENT_FREQUENCY)
    return {s: i for i, s in enumerate(kept)}


def _stack_rows(labels: list[str], docs: Sequence[Annotated], word_scores: np.ndarray) -> np.ndarray:
    """(documents × labels) rows: trigger features, word score, one-hot label."""
    one_hot = np.eye(len(labels))
    return np.vstack(
        [np.hstack([trigger_features(labels, d.inputs), word_scores[i][:, None], one_hot]) for i, d in enumerate(docs)]
    )


def _has_candidates(doc: Annotated) -> bool:
    return bool(doc.inputs.order)


def _word_layer(
    docs: Sequence[Annotated], labels: list[str], penalty: float = WORD_PENALTY
) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The per-theme word models' inputs and their out-of-fold scores (log-odds) over ``docs``:
    (vocabulary, word vectors, expected labels, inner fold of each document, scores)."""
    vocabulary = _vocabulary(docs)
    x = np.array([word_vector(vocabulary, d.inputs) for d in docs])
    y = np.array([[label in d.expected for label in labels] for d in docs], dtype=float)
    inner = np.arange(len(docs)) % INNER_FOLDS
    scores = np.zeros_like(y)
    for k in range(INNER_FOLDS):
        w, b = fit_logistic_kernel(x[inner != k], y[inner != k], penalty)
        scores[inner == k] = x[inner == k] @ w + b
    return vocabulary, x, y, inner, scores


def _threshold(f1_by_threshold: dict[float, float]) -> float:
    """The highest threshold whose out-of-fold micro-F1 is within THRESHOLD_TOLERANCE of the best.

    The curve is flat over 0.1–0.45 (F1 within ±0.004 on 178 documents): the plain maximum jumped
    between 0.2 and 0.425 on changes that did not touch themes, and 0.2 gives a theme to one
    « millions d'euros ». Within the noise, fewer themes, each more certain."""
    best = max(f1_by_threshold.values())
    return max(t for t, f1 in f1_by_threshold.items() if f1 >= best - THRESHOLD_TOLERANCE)


def fit_model(
    docs: Sequence[Annotated], labels: list[str] | None = None, word_penalty: float = WORD_PENALTY
) -> ThemeModel:
    """The theme model trained on ``docs`` (see the module's docstring)."""
    labels = labels or gazetteer.theme_labels()
    docs = [d for d in docs if _has_candidates(d)]  # without a trigger term no theme is given
    vocabulary, x_words, y, inner, out_of_fold = _word_layer(docs, labels, word_penalty)
    word_weights, word_bias = fit_logistic_kernel(x_words, y, word_penalty)
    rows = _stack_rows(labels, docs, out_of_fold)
    target = y.reshape(-1, 1)
    row_fold = np.repeat(inner, len(labels))
    probabilities = np.zeros(len(target))
    for k in range(INNER_FOLDS):
        w, b = fit_logistic(rows[row_fold != k], target[row_fold != k], STACK_PENALTY)
        probabilities[row_fold == k] = 1.0 / (1.0 + np.exp(-(rows[row_fold == k] @ w + b)))[:, 0]
    probabilities = probabilities.reshape(len(docs), len(labels))
    expected = [d.expected for d in docs]
    threshold = _threshold({t: micro_f1([_labels(p, t, labels) for p in probabilities], expected) for t in THRESHOLDS})
    w, b = fit_logistic(rows, target, STACK_PENALTY)
    n_features = rows.shape[1] - len(labels)
    return ThemeModel(
        labels=list(labels),
        vocabulary=vocabulary,
        word_weights=word_weights,
        word_bias=word_bias,
        weights=w[:n_features, 0],
        label_bias=w[n_features:, 0] + b[0],
        threshold=threshold,
        max_themes=MAX_THEMES,
    )


def model_json(model: ThemeModel, docs: Sequence[Annotated]) -> str:
    data = model.to_json()
    data = {
        "about": "Theme model trained by `python -m indexer.train_themes` (see archive/gazetteer/theme_model.py)",
        "training": dict(sorted(Counter(d.set for d in docs).items())),
        **data,
    }
    # One line per key, and one per word of the vocabulary: small diffs when the model is retrained.
    lines = []
    for key, value in data.items():
        if key == "vocabulary":
            words = [f"  {_compact(stem)}: {_compact(weights)}" for stem, weights in value.items()]
            lines.append(' "vocabulary": {\n' + ",\n".join(words) + "\n }")
        else:
            lines.append(f" {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- methods compared by cross-validation ---------------------------------------------------

Predictor = Callable[[Annotated], set[str]]
Method = Callable[[Sequence[Annotated]], Predictor]


def rules_method(train: Sequence[Annotated]) -> Predictor:
    """The trigger-term rules as they are (nothing learnt)."""
    return lambda d: {m.value for m in theme_rules.rule_themes(d.reading)}


def _weighted_themes(d: Annotated, title: float, lead: float, secondary: float, relative: float) -> set[str]:
    totals = {
        lab: d.inputs.body.get(lab, 0.0) + title * d.inputs.title.get(lab, 0.0) + lead * d.inputs.lead.get(lab, 0.0)
        for lab in d.inputs.order
    }
    ranked = sorted(totals, key=lambda lab: -totals[lab])
    if not ranked:
        return set()
    top = totals[ranked[0]]
    keep = [ranked[0]] + [lab for lab in ranked[1:] if totals[lab] >= max(secondary, relative * top)]
    return set(keep[:MAX_THEMES])


def weighted_method(train: Sequence[Annotated]) -> Predictor:
    """The weighted trigger score, its title and first-paragraph weights and thresholds picked
    on the training documents (grid search)."""
    grid = [
        (t, le, s, r)
        for t in (0.0, 1.0, 2.0, 3.0, 4.0)
        for le in (0.0, 0.5, 1.0, 2.0)
        for s in (1.0, 2.0, 3.0, 4.0)
        for r in (0.1, 0.15, 0.2, 0.3, 0.4)
    ]
    expected = [d.expected for d in train]
    best = max(grid, key=lambda p: micro_f1([_weighted_themes(d, *p) for d in train], expected))
    return lambda d: _weighted_themes(d, *best)


def words_method(train: Sequence[Annotated]) -> Predictor:
    """The per-theme word models alone (no trigger score), threshold picked out of fold."""
    labels = gazetteer.theme_labels()
    train = [d for d in train if _has_candidates(d)]
    vocabulary, x, y, _, scores = _word_layer(train, labels)
    probabilities = 1.0 / (1.0 + np.exp(-scores))
    expected = [d.expected for d in train]
    threshold = max(THRESHOLDS, key=lambda t: micro_f1([_labels(p, t, labels) for p in probabilities], expected))
    w, b = fit_logistic_kernel(x, y, WORD_PENALTY)

    def predict(d: Annotated) -> set[str]:
        if not _has_candidates(d):
            return set()
        return _labels(1.0 / (1.0 + np.exp(-(word_vector(vocabulary, d.inputs) @ w + b))), threshold, labels)

    return predict


def model_method(train: Sequence[Annotated]) -> Predictor:
    model = fit_model(train)
    return lambda d: {label for label, _ in model.decide(d.inputs)}


def model_method_fourth_round(train: Sequence[Annotated]) -> Predictor:
    """The model with the fourth round's word penalty (0.3), for comparison."""
    model = fit_model(train, word_penalty=0.3)
    return lambda d: {label for label, _ in model.decide(d.inputs)}


METHODS: dict[str, Method] = {
    "rules": rules_method,
    "weighted score, tuned in fold": weighted_method,
    "words only (logistic)": words_method,
    "model, word penalty 0.3": model_method_fourth_round,
    "model": model_method,
}


def cross_validate(docs: Sequence[Annotated], method: Method, folds: int = 5, shuffle: int = 0) -> float:
    """Out-of-sample micro-F1 on the dev documents: each fold scored by ``method`` trained on
    the seed documents and the other folds. Folds: every 5th document; with ``shuffle`` > 0,
    every 5th of the documents in a fixed random order (another assignment, the same sizes)."""
    dev = [d for d in docs if d.set == "dev"]
    seed = [d for d in docs if d.set != "dev"]
    order = np.random.RandomState(shuffle).permutation(len(dev)) if shuffle else np.arange(len(dev))
    fold = {int(doc): position % folds for position, doc in enumerate(order)}
    found: list[set[str]] = []
    expected: list[frozenset[str]] = []
    for k in range(folds):
        predict = method(seed + [d for i, d in enumerate(dev) if fold[i] != k])
        for i, d in enumerate(dev):
            if fold[i] == k:
                found.append(predict(d))
                expected.append(d.expected)
    return micro_f1(found, expected)


def repeated_cross_validation(docs: Sequence[Annotated], method: Method, repeats: int = 5) -> list[float]:
    """``cross_validate`` over ``repeats`` fold assignments (the first one: every 5th document).
    One assignment moves a figure by ±0.015; choices between methods are made on the mean."""
    return [cross_validate(docs, method, shuffle=r) for r in range(repeats)]


def leave_set_out(docs: Sequence[Annotated], method: Method) -> float:
    """Each dev set scored by ``method`` trained on the seed and the other dev sets (topic shift)."""
    found: list[set[str]] = []
    expected: list[frozenset[str]] = []
    for folder in sorted({d.folder for d in docs if d.set == "dev"}):
        predict = method([d for d in docs if d.folder != folder])
        for d in docs:
            if d.folder == folder:
                found.append(predict(d))
                expected.append(d.expected)
    return micro_f1(found, expected)


def transfer_to_seed(docs: Sequence[Annotated], method: Method) -> float:
    """Trained on dev only, scored on the seed set."""
    predict = method([d for d in docs if d.set == "dev"])
    seed = [d for d in docs if d.set == "seed"]
    return micro_f1([predict(d) for d in seed], [d.expected for d in seed])


def main(argv: list[str] | None = None, docs: Sequence[Annotated] | None = None) -> int:
    """The command line; ``docs``: documents already read (tests)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="compare the methods out of sample, write nothing")
    parser.add_argument(
        "--repeats", type=int, default=1, help="with --cv: mean over this many 5-fold assignments (default 1)"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"model file (default: {OUTPUT})")
    args = parser.parse_args(argv)
    docs = list(docs) if docs is not None else load_documents()
    if args.cv:
        print(f"{'method':<32} {'dev 5-fold CV':>14} {'dev, set out':>13} {'seed (dev-trained)':>19}")
        for name, method in METHODS.items():
            cv = float(np.mean(repeated_cross_validation(docs, method, max(1, args.repeats))))
            scores = (cv, leave_set_out(docs, method), transfer_to_seed(docs, method))
            print(f"{name:<32} {scores[0]:>14.3f} {scores[1]:>13.3f} {scores[2]:>19.3f}", flush=True)
        return 0
    model = fit_model(docs)
    args.output.write_text(model_json(model, docs), encoding="utf-8")
    print(f"{args.output}: {len(docs)} documents, {len(model.vocabulary)} words, threshold {model.threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
