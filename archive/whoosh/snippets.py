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
from whoosh.analysis import RegexTokenizer, Token

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
_SPACE = re.compile(r"\s")
# Characters of text tokenised before and after a matched word: the context fragmenter never
# looks further (its « surround » before; a fragment of at most SNIPPET_CHARS of words after),
# so fragments come out as if the whole text had been tokenised.
_BEFORE = 2 * SNIPPET_SURROUND + 40
_AFTER = 3 * SNIPPET_CHARS + 2 * SNIPPET_SURROUND
_Outputs = tuple[tuple[str, int, int, bool], ...]


class _WordMemo:
    """Per analyzer: each word's tokens as (text, start, end, stopped), and for each token text
    the words that give it (which words of a text match a term is then a set intersection)."""

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer
        self.outputs: dict[str, _Outputs] = {}
        self.producers: dict[str, set[str]] = {}
        tokenizer = analyzer.items[0]
        expression = tokenizer.expression
        # Splitting on the expression in one group gives gaps and words alternately, in C.
        self.splitter = re.compile(f"({expression.pattern})", expression.flags) if not expression.groups else None
        self.expression = expression

    def learn(self, words) -> None:
        """Analyse the words not seen yet."""
        outputs, producers = self.outputs, self.producers
        for word in words:
            found = outputs[word] = tuple(
                (t.text, t.startchar, t.endchar, t.stopped)
                for t in self.analyzer(word, chars=True, mode="query", removestops=False)
            )
            for out in found:
                producers.setdefault(out[0], set()).add(word)

    def tokens(self, text: str) -> tuple[list[str], list[int]]:
        """The words of `text` and their start offsets, as the tokenizer finds them."""
        if self.splitter is None:
            found = [(m.start(), m.group()) for m in self.expression.finditer(text)]
            return [w for _, w in found], [s for s, _ in found]
        parts = self.splitter.split(text)
        return parts[1::2], list(accumulate(map(len, parts)))[0:-1:2]


_memo: _WordMemo | None = None


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

    # The fragmenter stops at the first token ending past `charlimit`: no need to read further
    # than the first space after it (a word is never cut).
    if charlimit < len(text):
        space = _SPACE.search(text, charlimit)
        if space:
            text = text[: space.start()]
    words, starts = memo.tokens(text)
    distinct = set(words)
    memo.learn(list(filterfalse(memo.outputs.__contains__, distinct)))
    producers = memo.producers
    matched = distinct.intersection(chain.from_iterable(producers.get(t, ()) for t in terms))
    if not matched:
        return []
    outputs = memo.outputs
    windows: list[list[int]] = []
    for start in compress(starts, map(matched.__contains__, words)):
        if windows and start - _BEFORE <= windows[-1][1]:
            windows[-1][1] = start + _AFTER
        else:
            windows.append([start - _BEFORE, start + _AFTER])
    spans: list[tuple[str, int, int, bool]] = []
    for low, high in windows:  # the words starting inside each window
        first, last = bisect_left(starts, low), bisect_right(starts, high)
        for start, word in zip(starts[first:last], words[first:last], strict=True):
            spans.extend([(out[0], start + out[1], start + out[2], out[3]) for out in outputs[word]])
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
