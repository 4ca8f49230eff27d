"""French analysis chain shared by indexing and querying.

Lives in an importable module because Whoosh pickles the schema (and so these
filters) into every index generation: a class defined in a script would not
unpickle in another process.

Chain: tokenize (keeping ' ’ · inside words and grouping numbers written with
spaces) → lowercase → elision and inclusive-writing cleanup → compound split →
stop words → a position left empty between paragraphs, list items and sentences →
accent folding → pre-stem normaliser → Snowball French.
Folding happens *before* stemming so that accented and unaccented spellings
always give the same term; the pre-stem rules restore the plural and
feminine conflation that folding alone would weaken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Tokenizer,
)
from whoosh.analysis.acore import Token
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

# Bump when anything below changes the terms produced: the index is then rebuilt.
ANALYSIS_VERSION = 5  # 5: a position left empty at paragraph, list-item and sentence breaks

# The tokenizer's own classes: they decide the terms written into the index, so they change only
# with ANALYSIS_VERSION (archive.text holds the wider classes used to compare names and words).
APOSTROPHES = "'\u2019\u02bc\u2018"
INCLUSIVE_DOTS = "\u00b7\u2022\u2027\u22c5"
NUMBER_SPACES = " \u00a0\u202f\u2009"

# A number written with thousands separators ("107 562", "300\u202f000") is one
# token; otherwise words keep inner apostrophes and median dots.
TOKEN_PATTERN = (
    rf"\d{{1,3}}(?:[{NUMBER_SPACES}]\d{{3}})+(?!\d)"
    rf"|\w+(?:[{APOSTROPHES}]\w+)*(?:[{INCLUSIVE_DOTS}]\w+)*"
)

_ELISION = re.compile(r"^(?:l|m|t|qu|n|s|j|d|c|jusqu|quoiqu|lorsqu|puisqu|presqu)'")
_INCLUSIVE_TAIL = re.compile(rf"[{INCLUSIVE_DOTS}].*$")
_NUMBER_GAPS = re.compile(rf"[{NUMBER_SPACES}]")
_APOSTROPHE_VARIANTS = str.maketrans({c: "'" for c in APOSTROPHES[1:]})

FOLD_MAP: dict[int, str] = {
    **{k: v for k, v in accent_map.items()},
    ord("œ"): "oe",
    ord("Œ"): "oe",
    ord("æ"): "ae",
    ord("Æ"): "ae",
}

COMPOUNDS: dict[str, tuple[str, ...]] = {"bpifrance": ("bpi", "france")}


class FrenchElisionFilter(Filter):
    """l'État → État, jusqu'à → à, salarié·es → salarié, 107 562 → 107562."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text.translate(_APOSTROPHE_VARIANTS)
            m = _ELISION.match(text)
            if m:
                text = text[m.end() :]
                if t.chars:
                    t.startchar += m.end()
            text = _INCLUSIVE_TAIL.sub("", text)
            if text[:1].isdigit():
                text = _NUMBER_GAPS.sub("", text)
            t.text = text
            yield t


class TokenSplitFilter(Filter):
    """Split known compounds into consecutive tokens (Bpifrance → bpi france)."""

    def __init__(self, mapping: dict[str, tuple[str, ...]]) -> None:
        self.mapping = dict(mapping)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.mapping == other.mapping  # type: ignore[attr-defined]

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            parts = self.mapping.get(t.text)
            if not parts:
                yield t
                continue
            base = t.pos if t.positions else 0
            for i, part in enumerate(parts):
                t.text = part
                if t.positions:
                    t.pos = base + i
                yield t
            shift += len(parts) - 1


# Where a text breaks (see SegmentTokenizer): a blank line, a new line opening a list item
# (« - », « • », « 1. »), the end of a sentence before a capital letter.
BREAKS = re.compile(
    r"\n[ \t\u00a0]*\n"
    r"|\n[ \t\u00a0]*(?:[-–—•*▪·●◦]|\d{1,2}[.)])[ \t\u00a0]"
    r"|[.!?…][»\"”’)]?[ \t\u00a0]+(?=[«\"“(]?[ \u00a0]?[A-ZÀ-ÖØ-Þ])"
)


class SegmentTokenizer(RegexTokenizer):
    """RegexTokenizer that numbers the stretches of text between breaks (``BREAKS``) on each
    token (``token.segment``), for SegmentGapFilter."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        start_pos=0,
        start_char=0,
        tokenize=True,
        **kwargs,
    ):
        if not tokenize:
            for t in super().__call__(
                value,
                positions,
                chars,
                keeporiginal,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=False,
                **kwargs,
            ):
                t.segment = 0
                yield t
            return
        t = Token(positions, chars, **kwargs)
        breaks = [m.start() for m in BREAKS.finditer(value)] if positions else []
        breaks.append(len(value) + 1)
        segment, next_break = 0, breaks[0]
        for pos, match in enumerate(self.expression.finditer(value)):
            start = match.start()
            while next_break < start:
                segment += 1
                next_break = breaks[segment]
            t.text = match.group()
            t.segment = segment
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + match.end()
            yield t


class SegmentGapFilter(Filter):
    """Leaves one position empty where a new segment starts: a quoted phrase never joins the end
    of a list item or a sentence to the start of the next (« … en France\n- Relancer la
    production » is no « France Relance »), while words of neighbouring sentences stay only
    one position further apart for the proximity bonus. After the stop filter, which
    renumbers positions."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        gap, last = 0, None
        for t in tokens:
            segment = getattr(t, "segment", 0)
            if t.positions:
                if last is not None and segment != last:
                    gap += 1
                t.pos += gap
            last = segment
            yield t


class FrenchPreStemFilter(Filter):
    """Runs on folded text before Snowball: créées→crée, emplois→emploi."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            w = t.text
            if len(w) > 4 and not w[0].isdigit():
                if w.endswith("ees"):
                    w = w[:-2]
                elif w.endswith("ee"):
                    w = w[:-1]
                elif w.endswith(("ois", "eux")):
                    w = w[:-1]
            t.text = w
            yield t


_BASE_STOPS = set(stopwords_for_language("fr")) | {
    "a",
    "les",
    "cet",
    "cette",
    "ces",
    "leurs",
    "dont",
    "où",
    "ceux",
    "celle",
    "celles",
    "jusqu",
    "lorsqu",
    "puisqu",
    "quoiqu",
    "presqu",
    # Question words: a question typed in plain French must not require them.
    "quel",
    "quelle",
    "quels",
    "quelles",
    "comment",
    "pourquoi",
    "combien",
    "lequel",
    "laquelle",
    "lesquels",
    "lesquelles",
    "quoi",
}
FRENCH_STOPS = frozenset(_BASE_STOPS | {w.translate(FOLD_MAP) for w in _BASE_STOPS})


def french_analyzer(cachesize: int = 50000):
    """The analyzer of every French full-text field (index and query side)."""
    return (
        SegmentTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | FrenchElisionFilter()
        | TokenSplitFilter(COMPOUNDS)
        | StopFilter(stoplist=FRENCH_STOPS, minsize=2)
        | SegmentGapFilter()
        | CharsetFilter(FOLD_MAP)
        | FrenchPreStemFilter()
        | StemFilter(lang="fr", cachesize=cachesize)
    )


def spelling_analyzer():
    """Accent-preserving, unstemmed words: the vocabulary for « vouliez-vous dire »."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | FrenchElisionFilter()
        | StopFilter(stoplist=FRENCH_STOPS, minsize=3)
    )


class ValueTokenizer(Tokenizer):
    """One token per value of a multi-valued facet; values are joined by US (\\x1f).

    Values keep their case and accents: the term text is what facets display.
    """

    SEPARATOR = "\x1f"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        parts = value.split(self.SEPARATOR) if tokenize else [value]
        for pos, part in enumerate(p.strip() for p in parts):
            if not part:
                continue
            t.text = part
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = part
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(part)
            yield t


def join_values(values: list[str] | tuple[str, ...]) -> str:
    return ValueTokenizer.SEPARATOR.join(v.replace(ValueTokenizer.SEPARATOR, " ") for v in values)
