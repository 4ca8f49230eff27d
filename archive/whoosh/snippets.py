"""Snippets and highlighting of search results: the words to mark, fragments around them, the
whole text marked."""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable
from itertools import accumulate, chain, compress, filterfalse

from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import CharsetFilter, RegexTokenizer, StopFilter, Token

from archive import analysis
from archive.whoosh.query import TEXT_FIELDS
from archive.whoosh.ranking import EXPANDING

SNIPPET_CHARS = 240


class _MarkFormatter(highlight.HtmlFormatter):
    """Escaped text with matched terms in bare <mark> tags."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def _text(self, text: str) -> str:
        # A fragment is cut between tokens: a 200 000-character word beside a match came back whole.
        if len(text) > SNIPPET_CHARS:
            half = SNIPPET_CHARS // 4
            text = text[:half] + " … " + text[-half:]
        return super()._text(text)


def highlight_terms(q: wq.Query, reader, expand: Callable[[wq.Query], list[bytes]]) -> frozenset[str]:
    """Analysed text terms to highlight (prefixes expanded by `expand`, negated parts skipped)."""
    out: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, EXPANDING):  # as many words as the search itself used, no more
            if node.fieldname in TEXT_FIELDS:
                out.update(_text(t) for t in expand(node))
            return
        if node.is_leaf():
            for fieldname, text in node.existing_terms(reader, expand=True):
                if fieldname in TEXT_FIELDS:
                    out.add(_text(text))
            return
        for child in node.children():
            walk(child)

    walk(q)
    return frozenset(out)


def result_snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """Up to two marked fragments around the terms, else the document's opening lines."""
    if terms:
        fragment = highlight_text(text, terms, analyzer)
        if fragment:
            return fragment
    return html.escape(_lead(text), quote=False)


SNIPPET_SURROUND = 60


def highlight_text(text: str, terms: frozenset[str], analyzer) -> str:
    """= highlight.highlight(text, terms, analyzer, fragmenter, _MarkFormatter(), top=2), faster:
    the words are analysed once each (memoised) and only the stretches around matched words are
    tokenised for the fragmenter, which only makes token objects of the matched words."""
    fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_SURROUND)
    terms = frozenset(terms)
    spans = _highlight_tokens(text, analyzer, terms, fragmenter.charlimit)
    fragments = highlight.top_fragments(
        _fragments(text, spans, terms, fragmenter), 2, highlight.BasicFragmentScorer(), highlight.FIRST, 1
    )
    snippet = _MarkFormatter()(text, fragments)
    return " ".join(snippet.split())


_MEMO_MAX_WORDS = 400_000
# The words replayed around a matched word: the word before it and those starting up to _BEFORE
# characters before that one (the fragmenter keeps « surround » characters of context before a
# match, and had dropped what lies further back), and after it those
# whose tokens add up to _AFTER characters of tokens. The fragmenter never looks further: after
# a match it counts down « surround » characters of tokens (twice that after a first match with
# nothing before it), then closes the fragment. So fragments come out as if the whole text had
# been tokenised.
_BEFORE = 2 * SNIPPET_SURROUND + 40
_AFTER = 2 * SNIPPET_SURROUND + 1
_Outputs = tuple[tuple[str, int, int, bool], ...]


class _SimpleWords:
    """The French chain's outputs for a plain word (letters and digits only, no apostrophe, not a
    known compound), without running it: one token over the whole word, stopped as the stop
    filter says. Its analysed text is left out (None) until a search needs it: the first letters
    tell which words can give a term at all, since the chain keeps them (the folded word's first
    two letters start every analysed text of two letters or more, its first letter every other;
    `tests/test_whoosh_internals_snippets.py` checks it on every word of the test corpora).
    Stemming the words of each hit was most of a snippet's cost, and few of them can match."""

    def __init__(self, compounds, stop_filter, charmap) -> None:
        self.compounds = compounds
        self.stops, self.min, self.max = stop_filter.stops, stop_filter.min, stop_filter.max
        self.charmap = charmap

    @classmethod
    def of(cls, analyzer) -> _SimpleWords | None:
        """For the French chain of archive.analysis only (its filters, in its order)."""
        items = getattr(analyzer, "items", ())
        kinds = [type(item) for item in items]
        expected = [type(item) for item in analysis.french_analyzer().items]
        if kinds != expected or items[0].expression.pattern != analysis.TOKEN_PATTERN:
            return None
        of_kind = {type(item): item for item in items}
        return cls(
            frozenset(of_kind[analysis.TokenSplitFilter].mapping),
            of_kind[StopFilter],
            of_kind[CharsetFilter].charmap,
        )

    def plain(self, word: str) -> tuple[str, bool] | None:
        """(folded first two letters, stopped) of a plain word, None for any other word."""
        if not ((word.isalnum() and "\u02bc" not in word) or _PLAIN.fullmatch(word)):
            return None
        low = word.lower()
        if low in self.compounds:
            return None
        kept = len(low) >= self.min and (self.max is None or len(low) <= self.max) and low not in self.stops
        return low.translate(self.charmap)[:2], not kept


# Letters, digits and underscores, but not the modifier-letter apostrophe (ʼ) that \w includes.
_PLAIN = re.compile(r"[^\W\u02bc]+")


class _WordMemo:
    """Per analyzer: each word's tokens as (text, start, end, stopped), and for each token text
    the words that give it (which words of a text match a term is then a set intersection).

    Plain words are first only cut into tokens (`outputs`, texts None) and filed by their first
    letters; a search analyses the ones whose letters one of its terms starts with (`analysed`,
    their `producers` then known), so every word that can match a term is analysed."""

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer
        self.outputs: dict[str, _Outputs] = {}
        self.analysed: dict[str, _Outputs] = {}
        self.sizes: dict[str, int] = {}  # word → characters of its tokens (the fragmenter's count)
        self.producers: dict[str, set[str]] = {}
        self.by_prefix: dict[str, set[str]] = {}  # folded first two letters → plain words
        self.by_first: dict[str, set[str]] = {}  # folded first letter → plain words
        self.simple = _SimpleWords.of(analyzer)
        tokenizer = analyzer.items[0]
        expression = tokenizer.expression
        # Splitting on the expression in one group gives gaps and words alternately, in C.
        self.splitter = re.compile(f"({expression.pattern})", expression.flags) if not expression.groups else None
        self.expression = expression

    def learn(self, words: list[str]) -> None:
        """Take in words not seen yet: plain ones filed by their first letters, the others
        analysed at once."""
        simple = self.simple
        if simple is None:
            self.analyse(words)
            return
        others = []
        for word in words:
            found = simple.plain(word)
            if found is None:
                others.append(word)
                continue
            prefix, stopped = found
            self.sizes[word] = len(word)
            self.by_prefix.setdefault(prefix, set()).add(word)
            self.by_first.setdefault(prefix[:1], set()).add(word)
            # Last: other threads take a word in `outputs` as known, its size and prefix too.
            self.outputs[word] = ((None, 0, len(word), stopped),)
        self.analyse(others)

    def analyse_candidates(self, words: set[str], terms: frozenset[str]) -> None:
        """Analyse those of `words` (all learnt) that the terms' first letters say may give one."""
        candidates: set[str] = set()
        for term in terms:
            filed = self.by_prefix.get(term[:2]) if len(term) >= 2 else self.by_first.get(term)
            if filed:
                candidates.update(words.intersection(filed))
        self.analyse([word for word in candidates if word not in self.analysed])

    def analyse(self, words: list[str]) -> None:
        """Run the whole chain on the words: in one call over them all, one per line (a tenth
        of the cost of one call per word), each token given back to the word it lies in."""
        outputs, producers, sizes, analysed = self.outputs, self.producers, self.sizes, self.analysed
        for word, found in zip(words, self._analysed(words), strict=True):
            sizes[word] = sum(out[2] - out[1] for out in found)
            for out in found:
                producers.setdefault(out[0], set()).add(word)
            # Last: other threads take a word in `analysed` as known, its producers too.
            outputs.setdefault(word, found)
            analysed[word] = found

    def _analysed(self, words: list[str]) -> list[_Outputs]:
        joined = "\n".join(words)
        if not words or self.expression.findall(joined) != words:  # a line break joined two words
            return [self._tokens_of(word) for word in words]
        starts = list(accumulate([0] + [len(word) + 1 for word in words[:-1]]))
        found: list[list[tuple[str, int, int, bool]]] = [[] for _ in words]
        for t in self.analyzer(joined, chars=True, mode="query", removestops=False):
            index = bisect_right(starts, t.startchar) - 1
            start = starts[index]
            found[index].append((t.text, t.startchar - start, t.endchar - start, t.stopped))
        return [tuple(tokens) for tokens in found]

    def _tokens_of(self, word: str) -> _Outputs:
        return tuple(
            (t.text, t.startchar, t.endchar, t.stopped)
            for t in self.analyzer(word, chars=True, mode="query", removestops=False)
        )

    def tokens(self, text: str) -> tuple[list[str], list[int]]:
        """The words of `text` and their start offsets, as the tokenizer finds them."""
        if self.splitter is None:
            found = [(m.start(), m.group()) for m in self.expression.finditer(text)]
            return [w for _, w in found], [s for s, _ in found]
        parts = self.splitter.split(text)
        return parts[1::2], list(accumulate(map(len, parts)))[0:-1:2]


_memo: _WordMemo | None = None
# Characters past a word that its tokenisation may depend on (the number pattern's look-ahead,
# a following « 000 » group): a word ending this far before the end of a cut text is whole.
_CUT_MARGIN = 16


def _words_to_limit(memo: _WordMemo, text: str, charlimit: int) -> tuple[list[str], list[int]]:
    """The words of `text` and their starts, up to the first word starting at or past `charlimit`
    (whose tokens all end past it: the fragmenter stops there, but that token's end still closes
    an open fragment). A long text is read only that far."""
    if charlimit >= len(text):
        return memo.tokens(text)
    cut = charlimit + 256
    while True:
        words, starts = memo.tokens(text[:cut])
        index = bisect_left(starts, charlimit)
        if cut >= len(text) or (index < len(words) and starts[index] + len(words[index]) <= cut - _CUT_MARGIN):
            return words[: index + 1], starts[: index + 1]
        cut *= 2


def _highlight_tokens(text: str, analyzer, terms: frozenset[str], charlimit: int) -> list[tuple[str, int, int, bool]]:
    """The tokens of `analyzer(text, chars=True, mode="query", removestops=False)` near a word
    whose tokens include one of the terms, up to `charlimit`, as (text, startchar, endchar, stopped).

    Every filter of the French chain works on one word at a time, so each
    distinct word is analysed once (stemming dominated the cost of snippets)
    and its tokens are replayed with shifted offsets; the text itself is cut
    into words by one regex split, and its matched words found by set
    operations. Analyzers that do not start with a RegexTokenizer fall back
    to the analyzer itself.
    """
    global _memo
    items = getattr(analyzer, "items", None)
    if not items or not isinstance(items[0], RegexTokenizer) or items[0].gaps:
        return [
            (t.text, t.startchar, t.endchar, t.stopped)
            for t in analyzer(text, chars=True, mode="query", removestops=False)
        ]
    memo = _memo
    if memo is None or memo.analyzer is not analyzer or len(memo.outputs) > _MEMO_MAX_WORDS:
        # A new memo rather than a cleared one: a search of another thread may be using this one.
        memo = _memo = _WordMemo(analyzer)

    words, starts = _words_to_limit(memo, text, charlimit)
    distinct = set(words)
    memo.learn(list(filterfalse(memo.outputs.__contains__, distinct)))
    memo.analyse_candidates(distinct, terms)
    producers = memo.producers
    matched = distinct.intersection(chain.from_iterable(producers.get(t, ()) for t in terms))
    if not matched:
        return []
    outputs, analysed = memo.outputs, memo.analysed
    # Running total of token characters: where the fragmenter's countdown after a match ends.
    running = list(accumulate(map(memo.sizes.__getitem__, words)))
    windows: list[list[int]] = []  # [first word, word after the last] of each stretch
    for index in compress(range(len(words)), map(matched.__contains__, words)):
        # From the word before it, however far: the fragmenter's context before a match is the
        # last words it saw, across any run of spaces.
        low = bisect_left(starts, starts[index - 1] - _BEFORE) if index else 0
        high = bisect_left(running, running[index] + _AFTER) + 2
        if windows and low <= windows[-1][1]:
            windows[-1][1] = high
        else:
            windows.append([low, high])
    spans: list[tuple[str, int, int, bool]] = []
    for low, high in windows:
        for start, word in zip(starts[low:high], words[low:high], strict=True):
            found = analysed.get(word) or outputs[word]
            spans.extend([(out[0], start + out[1], start + out[2], out[3]) for out in found])
    return spans


def _fragments(text: str, spans, terms: frozenset[str], fragmenter: highlight.ContextFragmenter):
    """= fragmenter.fragment_tokens(text, highlight.set_matched_filter(tokens, terms)), the tokens
    given as (text, startchar, endchar, stopped): Whoosh's loop, line for line, on plain values,
    with a Token made only for each matched word (the ones a fragment keeps)."""
    maxchars, surround, charlimit = fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit
    first = None
    firsts: deque[int] = deque()
    countdown = -1
    tks: list[Token] = []
    endchar = None
    currentlen = 0
    for token_text, startchar, endchar, stopped in spans:
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        matched = token_text in terms
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append(_matched_token(token_text, startchar, endchar, stopped))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield highlight.mkfrag(text, tks, startchar=first, endchar=endchar)
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
    if tks:
        yield highlight.mkfrag(text, tks, startchar=first, endchar=endchar)


def _matched_token(text: str, startchar: int, endchar: int, stopped: bool) -> Token:
    """The token the fragmenter copies for a matched word (as _highlight_tokens' tokens were)."""
    token = Token(positions=False, chars=True, removestops=False, mode="query")
    token.text = text
    token.boost = 1.0
    token.stopped = stopped
    token.startchar = startchar
    token.endchar = endchar
    token.matched = True
    return token


def mark_all(text: str, terms: frozenset[str], analyzer) -> str:
    """Escape the whole text and wrap every occurrence of the terms in <mark>.

    Tokens over the same characters (a compound and its parts: « Bpifrance », « bpi »,
    « france ») make one mark, not « BpifranceBpifrance »."""
    spans: list[list[int]] = []
    for token in analyzer(text, chars=True, mode="index", removestops=True):
        if token.text not in terms:
            continue
        if spans and token.startchar < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], token.endchar)
        else:
            spans.append([token.startchar, token.endchar])
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(html.escape(text[last:start], quote=False))
        out.append("<mark>" + html.escape(text[start:end], quote=False) + "</mark>")
        last = end
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def _lead(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
