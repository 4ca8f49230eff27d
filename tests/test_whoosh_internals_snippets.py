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


def test_a_search_meeting_a_word_another_search_is_learning_gets_its_snippet() -> None:
    """The memo of analysed words is shared by the server's threads. A word was marked as known
    before its token count was stored: a search of another thread, run at that moment, took it as
    known and failed with a KeyError (a 500, then reset connections, under 16 clients). The other
    thread is played here at that exact moment: when the first search stores the new word."""
    vocabulary = sorted({w for t in texts()[:5] for w in t.split()})
    text = " ".join([*vocabulary[:40], "motnouveau", *vocabulary[40:80]])
    terms = stems(["motnouveau"])
    expected = whoosh_reference(text, terms)
    meanwhile: list[str] = []

    class Interleaved(dict):
        def __setitem__(self, word, tokens) -> None:
            super().__setitem__(word, tokens)
            if word == "motnouveau" and not meanwhile:
                meanwhile.append(whoosh_snippets.highlight_text(text, terms, ANALYZER))

    memo = whoosh_snippets._WordMemo(ANALYZER)
    memo.outputs = Interleaved()
    whoosh_snippets._memo = memo
    try:
        assert whoosh_snippets.highlight_text(text, terms, ANALYZER) == expected
        assert meanwhile == [expected]
    finally:
        whoosh_snippets._memo = None


def corpus_words() -> set[str]:
    """Every word of the seeds and the annotated test documents, as the tokenizer cuts them."""
    memo = whoosh_snippets._WordMemo(ANALYZER)
    root = Path(__file__).parent / "data"
    paths = [*Path(SEEDS).glob("*"), *root.rglob("eval/**/*"), *root.rglob("annotated/**/*")]
    words: set[str] = set()
    for path in paths:
        if path.suffix in (".txt", ".md", ".html", ".htm"):
            words.update(memo.tokens(path.read_text(encoding="utf-8", errors="replace"))[0])
    return words | {"Zs", "Bpifrance", "BPIFRANCE", "İstanbul", "Œuvre", "ŒUVRES", "x_y", "Cʼest", "2024"}


def test_plain_words_keep_the_first_letters_the_snippets_sort_them_by() -> None:
    """The snippet memo files plain words by their folded first letters and analyses only those a
    search's terms start with. That is exact only if the French chain gives a plain word one token
    over the whole word, stopped as the stop filter says, whose text starts with those letters."""
    simple = whoosh_snippets._SimpleWords.of(ANALYZER)
    assert simple is not None
    checked = 0
    for word in corpus_words():
        found = simple.plain(word)
        tokens = [(t.text, t.startchar, t.endchar, t.stopped) for t in ANALYZER(word, chars=True, removestops=False)]
        if found is None:
            continue
        prefix, plain_stopped = found
        checked += 1
        assert len(tokens) == 1, (word, tokens)
        text, start, end, stopped = tokens[0]
        assert (start, end, stopped) == (0, len(word), plain_stopped), word
        assert text.startswith(prefix) if len(text) >= 2 else text == prefix[:1], (word, text, prefix)
    assert checked > 5_000


def test_words_another_chain_would_cut_are_not_taken_as_plain() -> None:
    simple = whoosh_snippets._SimpleWords.of(ANALYZER)
    for word in ("l'État", "Cʼest", "salarié·es", "Bpifrance", "107 562"):
        assert simple.plain(word) is None, word
    assert simple.plain("Émile") == ("em", False)
    assert whoosh_snippets._SimpleWords.of(build_schema()["title"].analyzer) is not None
