"""Guess the kind of a document (press release, invitation, report...) from cues.

The cues are data: ``archive/vocab/doc_types.yaml`` (or a lab's copy); the scoring is here.
Cues are matched on text folded by ``archive.text.fold_words`` (lower case, no accents,
straight apostrophes, plain spaces; hyphens and line breaks kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archive import vocab_files
from archive.text import fold_words

__all__ = ["DEFAULT_TYPE", "DOC_TYPES", "detect_doc_type", "type_scores"]

DEFAULT_TYPE = "article"
DOC_TYPES = (
    "communiqué de presse",
    "invitation",
    "compte rendu",
    "rapport",
    "programme",
    "discours",
    "tract",
    "article",
    "texte officiel",
    "étude",
)
HEAD_CHARS = 600
MAX_BODY_HITS = 3  # repeats of one cue counted at most this many times
MAX_HEAD_HITS = 2
MIN_SCORE = 3.0  # below this, the document is an ordinary article
CUES_FILE = "doc_types.yaml"  # in archive/vocab/: header patterns and weighted cues of each type


@dataclass(frozen=True)
class _Cues:
    """The compiled cues of ``doc_types.yaml``."""

    scored: dict[str, tuple[tuple[re.Pattern[str], float, bool], ...]]  # (pattern, weight, voice only)
    headers: tuple[tuple[re.Pattern[str], str], ...]  # a header line stating the type


def _cues() -> _Cues:
    return vocab_files.load(CUES_FILE, _compile)


def _compile(data: Any) -> _Cues:
    """Check and compile the cues; a mistake names the file, the type and the cue."""
    if not isinstance(data, dict):
        raise ValueError(f"{CUES_FILE}: a mapping from document type to its cues was expected")
    scored = {}
    headers = []
    for kind, entry in data.items():
        where = f"{CUES_FILE}: {kind!r}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: cues and an optional header were expected")
        if kind not in DOC_TYPES:
            raise ValueError(f"{where} is not a document type ({', '.join(DOC_TYPES)})")
        if "header" in entry:
            headers.append((_pattern(entry["header"], where), kind))
        compiled = []
        for cue in entry.get("cues") or ():
            if not (isinstance(cue, list) and len(cue) in (2, 3) and isinstance(cue[1], int | float)):
                raise ValueError(f"{where}: a cue is [pattern, weight] or [pattern, weight, voice], not {cue!r}")
            if len(cue) == 3 and cue[2] != "voice":
                raise ValueError(f"{where}: the third item of a cue can only be « voice », not {cue[2]!r}")
            compiled.append((_pattern(cue[0], where), float(cue[1]), len(cue) == 3))
        scored[kind] = tuple(compiled)
    return _Cues(scored, tuple(headers))


def _pattern(text: object, where: str) -> re.Pattern[str]:
    try:
        return re.compile(str(text))
    except re.error as exc:
        raise ValueError(f"{where}: invalid pattern {text!r} ({exc})") from None


HEADER_LINES = 3


def _cue_score(
    body: str, head: str, cues: tuple[tuple[re.Pattern[str], float, bool], ...], voice: str | None = None
) -> float:
    """Weighted hits of one type's cues; the head (title + start) counts twice; voice-only
    cues (« voice » in doc_types.yaml) count only in ``voice`` (title, header lines, closing lines)."""
    score = 0.0
    for pattern, weight, head_only in cues:
        if head_only and voice is not None:
            score += weight * (min(len(pattern.findall(voice)), MAX_HEAD_HITS) * 2)
            continue
        in_body = len(pattern.findall(body))
        in_head = len(pattern.findall(head))
        score += weight * (min(in_body, MAX_BODY_HITS) + min(in_head, MAX_HEAD_HITS))
    return score


def type_scores(text: str, title: str = "") -> dict[str, float]:
    """Score of every document type (for debugging and tests)."""
    body = fold_words(f"{title}\n{text}")
    head = fold_words(f"{title}\n{text.lstrip()[:HEAD_CHARS]}")
    voice = fold_words(f"{title}\n{_own_voice(text)}")
    return {kind: _cue_score(body, head, cues, voice) for kind, cues in _cues().scored.items()}


VOICE_LINE_MAX = 100


def _own_voice(text: str) -> str:
    """Where a document speaks of itself: its opening words, its first short header lines
    and its last lines (signature, « Contact presse »)."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    top = [text.lstrip()[:VOICE_LINE_MAX]]
    for line in lines[:HEADER_LINES]:
        if len(line) > VOICE_LINE_MAX:
            break
        top.append(line)
    bottom = [x for x in lines[-2:] if len(x) <= VOICE_LINE_MAX] if len(lines) > HEADER_LINES else []
    return "\n".join(top + bottom)


def header_type(text: str) -> str | None:
    """The type a header line states (« Communiqué de presse », « Compte rendu »), if any."""
    lines = [line.strip(" \t*#-–—•|") for line in (text or "").lstrip().splitlines()[:12]]
    for line in [x for x in lines if x][:HEADER_LINES]:
        folded = fold_words(line)
        for pattern, kind in _cues().headers:
            if pattern.match(folded):
                return kind
    return None


def detect_doc_type(text: str, title: str = "", file_name: str = "") -> str:
    """One of DOC_TYPES: the type a header line states, else wording and layout cues;
    "article" by default."""
    stated = header_type(text)
    if stated:
        return stated
    name = re.sub(r"[_\-.]+", " ", file_name)
    scores = type_scores(text or "", f"{title} {name}".strip())
    best = max(DOC_TYPES, key=lambda kind: scores.get(kind, 0.0))
    return best if scores.get(best, 0.0) >= MIN_SCORE else DEFAULT_TYPE
