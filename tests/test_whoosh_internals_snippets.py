"""Snippets: the fast highlighter (words analysed once, only the stretches around matched words
tokenised) gives exactly what Whoosh's own highlighter gives on the whole text. Whoosh internals
test: it compares with `whoosh.highlight.highlight`."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import highlight

from archive.whoosh import snippets as whoosh_snippets
from archive.whoosh.schema import build_schema
from conftest import SEEDS

ANALYZER = build_schema()["text"].analyzer


def whoosh_reference(text: str, terms: frozenset[str]) -> str:
    fragmenter = highlight.ContextFragmenter(
        maxchars=whoosh_snippets.SNIPPET_CHARS, surround=whoosh_snippets.SNIPPET_SURROUND
    )
    out = highlight.highlight(
        text,
        terms,
        ANALYZER,
        fragmenter,
        whoosh_snippets._MarkFormatter(),
        top=2,
        scorer=highlight.BasicFragmentScorer(),
    )
    return " ".join(out.split())


def stems(words: list[str]) -> frozenset[str]:
    return frozenset(t.text for w in words for t in ANALYZER(w))


def texts() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(Path(SEEDS).glob("*")) if p.suffix in (".txt", ".md")]
    rng = random.Random(7)
    vocabulary = sorted({w for t in seeds for w in t.split()})
    made = []
    for size in (40, 400, 3_000, 12_000):  # the last ones pass Whoosh's 32 768-character limit
        made.append(" ".join(rng.choice(vocabulary) for _ in range(size)))
    return seeds + made


@pytest.mark.parametrize("seed", range(12))
def test_fast_snippets_equal_whooshs_highlighter(seed: int) -> None:
    rng = random.Random(seed)
    for text in texts():
        words = text.split()
        picked = [rng.choice(words) for _ in range(rng.choice((1, 2, 4)))]
        rare = [w for w in words if len(w) > 6][: 1 + seed % 3]  # words met once or twice
        for chosen in (picked, rare, picked + rare, ["inexistantissime"]):
            terms = stems(chosen)
            assert whoosh_snippets.highlight_text(text, terms, ANALYZER) == whoosh_reference(text, terms), chosen


def spaced_texts() -> list[str]:
    """Texts with long runs of spaces and line breaks (tables, OCR of forms), some past the
    32 768-character limit, which may then fall inside such a run."""
    rng = random.Random(11)
    vocabulary = sorted({w for t in texts()[:5] for w in t.split()})
    made = []
    for size in (300, 3_000, 6_000):
        gaps = [" ", " ", " ", " " * 30, " " * 300, "\n\n   \t"]
        made.append("".join(rng.choice(vocabulary) + rng.choice(gaps) for _ in range(size)))
    return made


@pytest.mark.parametrize("seed", range(4))
def test_fast_snippets_equal_whooshs_highlighter_across_runs_of_spaces(seed: int) -> None:
    """The words kept before a match reached back a fixed number of characters: after a run of
    spaces the fragment started elsewhere than Whoosh's (and past the limit, ended elsewhere)."""
    rng = random.Random(seed)
    for text in spaced_texts():
        words = text.split()
        for _ in range(6):
            terms = stems([rng.choice(words) for _ in range(rng.choice((1, 2, 3)))])
            assert whoosh_snippets.highlight_text(text, terms, ANALYZER) == whoosh_reference(text, terms)
