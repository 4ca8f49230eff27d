"""The machinery every gazetteer shares: text folded into an *aligned* copy (one character per
original character, so a match can be checked against the original casing: ``Tours``, ``FO``,
``La Réunion``), one trie-shaped regular expression per vocabulary, and the checks of how a
match is written."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from archive.text import APOSTROPHES, DASHES, INVISIBLE, SPACES, strip_accents


@dataclass(frozen=True)
class Match:
    """A gazetteer hit: canonical value and the strings or terms that triggered it."""

    value: str
    evidence: tuple[str, ...]


# ---------------------------------------------------------------------------
# Folding
# ---------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_WS = re.compile(r"\s+")
_APOS_WS = re.compile(r"'\s+")


def _build_align_table(lower: bool) -> dict[int, str]:
    """One-to-one character map: accents off (and case off if ``lower``)."""
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        char = chr(cp)
        base = strip_accents(char)
        base = base.lower() if lower else base
        if len(base) == 1 and base != char:
            table[cp] = base
    for char in APOSTROPHES[1:]:
        table[ord(char)] = "'"
    for char in SPACES + DASHES:
        table[ord(char)] = " "
    return table


_ALIGN = _build_align_table(lower=True)
_ALIGN_KEEP_CASE = _build_align_table(lower=False)


def _prepare(text: str) -> str:
    """The 'original' text matches are read from: NFKC, invisible characters removed."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_INVISIBLE)


def _align(prepared: str) -> str:
    """Folded copy of ``prepared`` with exactly one character per input character."""
    low = prepared.lower()
    if len(low) != len(prepared):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in prepared)
    return low.translate(_ALIGN)


_LAST_READ: tuple[str, str, str] | None = None  # (text, prepared, folded) of the last long text
_SHARED_MIN_CHARS = 10_000


def _read(text: str) -> tuple[str, str]:
    """``_prepare`` and ``_align`` of a text, computed once for a long text that the actor,
    place, theme and scheme matchers all read in turn (a third of their time on 1 MB)."""
    global _LAST_READ
    last = _LAST_READ
    if last is not None and last[0] is text:
        return last[1], last[2]
    prepared = _prepare(text)
    folded = _align(prepared)
    if len(text) >= _SHARED_MIN_CHARS:
        _LAST_READ = (text, prepared, folded)
    return prepared, folded


def _key(aligned: str) -> str:
    """Canonical lookup key of an aligned slice: single spaces, no space after apostrophes."""
    key = _APOS_WS.sub("'", _WS.sub(" ", aligned)).strip()
    return key.replace("œ", "oe")


def _norm(text: str) -> str:
    """Lookup key of any phrase (alias, term, query)."""
    return _key(_align(_prepare(text)))


def _case_key(text: str) -> str:
    """Accent-free, case-preserving form used to check case-sensitive items."""
    return _APOS_WS.sub("'", _WS.sub(" ", _prepare(text).translate(_ALIGN_KEEP_CASE))).strip()


# ---------------------------------------------------------------------------
# Trie regex
# ---------------------------------------------------------------------------

_STAR = "*"


def _atom(char: str) -> str:
    if char == " ":
        return r"\s+"
    if char == "'":
        return r"'\s*"
    if char == _STAR:
        return r"\w*"
    return re.escape(char)


def _trie_pattern(keys: Iterable[str]) -> str:
    """A regex alternation of ``keys`` factored as a character trie (longest first)."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(trie)


def _trie_node(node: dict[str, Any]) -> str:
    chars = sorted((c for c in node if c), key=lambda c: (c == _STAR, c))
    alts = [_atom(c) + _trie_node(node[c]) for c in chars]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        return "(?:" + body + ")?"
    return body


def _variants(key: str) -> list[str]:
    """A key and its spelling with the ligature œ (text may use either)."""
    return [key, key.replace("oe", "œ")] if "oe" in key else [key]


def _compile(keys: Iterable[str]) -> re.Pattern[str]:
    all_keys = sorted({v for k in keys if k for v in _variants(k)})
    return re.compile(r"(?<!\w)(?:" + _trie_pattern(all_keys) + r")(?!\w)")


# ---------------------------------------------------------------------------
# Case-sensitive and sentence-start checks
# ---------------------------------------------------------------------------

_SENTENCE_END = set(".!?•·…")


@dataclass(frozen=True)
class _Entry:
    """What a lookup key stands for, and how strictly it must be written.

    ``not_after``/``not_before``: folded phrases that veto a match when they stand right
    before/after it (« aide d'État » is not the State). ``locative``: a place name that is
    also a common word or a company (Orange) counts only after « à », « d' », « de »...
    ``spaced_dash``: the alias itself has a spaced dash, so « CGT – FO » may match it.
    """

    value: str
    cased: frozenset[str] | None = None
    strict: bool = False
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    locative: bool = False
    spaced_dash: bool = False


def _sentence_initial(prepared: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and prepared[i] in " \t\r":
        i -= 1
    if i < 0:
        return True
    if prepared[i] == "\n":
        j = i - 1
        while j >= 0 and prepared[j].isspace():
            if prepared[j] == "\n":
                return True
            j -= 1
        return j < 0 or prepared[j] in _SENTENCE_END
    return prepared[i] in _SENTENCE_END


_LOCATIVE = re.compile(r"(?:^|[^\w'])(?:a|au|aux|en|de|d'|des|vers|sur|dans|pres de|pres d'|depuis|jusqu'a)\s*$")
_SPACED_DASH = re.compile(r"\s[-\u2010-\u2015\u2212]\s")
_CONTEXT_CHARS = 40


def _written_ok(entry: _Entry, prepared: str, start: int, end: int, folded: str | None = None) -> bool:
    if entry.cased is not None and _case_key(prepared[start:end]) not in entry.cased:
        return False
    if entry.strict and _sentence_initial(prepared, start):
        return False
    if entry.not_after or entry.not_before or entry.locative:
        folded = folded if folded is not None else _align(prepared)
        before = _key(folded[max(0, start - _CONTEXT_CHARS) : start] + "\x00")[:-1].rstrip()
        after = _key("\x00" + folded[end : end + _CONTEXT_CHARS])[1:].lstrip()
        if any(_ends_with_words(before, p) for p in entry.not_after):
            return False
        if any(_starts_with_words(after, p) for p in entry.not_before):
            return False
        if entry.locative and not _LOCATIVE.search(before + " "):
            return False
    return True


def _ends_with_words(text: str, phrase: str) -> bool:
    """``text`` ends with ``phrase`` starting at a word boundary."""
    if not text.endswith(phrase):
        return False
    i = len(text) - len(phrase)
    return i == 0 or not text[i - 1].isalnum() or not phrase[0].isalnum()


def _starts_with_words(text: str, phrase: str) -> bool:
    """``text`` starts with ``phrase`` ending at a word boundary."""
    if not text.startswith(phrase):
        return False
    j = len(phrase)
    return j == len(text) or not text[j].isalnum() or not phrase[-1].isalnum()


def _surface(prepared: str, start: int, end: int) -> str:
    return _WS.sub(" ", prepared[start:end]).strip()


def _add_entry(entries: dict[str, _Entry], alias: str, entry: _Entry, owner: str) -> None:
    """Register ``alias``; a case-sensitive declaration wins over a case-insensitive one."""
    key = _norm(alias)
    if not key:
        return
    old = entries.get(key)
    if old is not None:
        if old.value != entry.value:
            raise ValueError(f"{owner}: alias {alias!r} used by both {old.value!r} and {entry.value!r}")
        if old.cased is not None and entry.cased is not None:
            cased: frozenset[str] | None = old.cased | entry.cased
        else:
            cased = old.cased or entry.cased
        entry = replace(
            entry,
            cased=cased,
            strict=old.strict or entry.strict,
            spaced_dash=old.spaced_dash or entry.spaced_dash,
        )
    entries[key] = entry
