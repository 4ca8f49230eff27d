"""Markdown files (.md): the text without its light syntax, the title from the first heading."""

from __future__ import annotations

import re
from pathlib import Path

from indexer.formats.base import Extraction, estimate_pages, short_title, tidy
from indexer.formats.text import read_text

__all__ = ["extract", "strip_markdown"]

_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^[ \t]{0,3}(?:```|~~~)[^\n]*\n?", re.M), ""),  # fence lines only
    (re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,1000}\)"), ""),  # images
    (re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,1000}\)"), r"\1"),  # inline links
    (re.compile(r"\[([^\]\n]{1,300})\]\[[^\]\n]{0,300}\]"), r"\1"),  # reference links
    (re.compile(r"^[ \t]{0,3}\[[^\]\n]{1,300}\]:[ \t]*\S[^\n]*\n?", re.M), ""),  # link defs
    (re.compile(r"<((?:https?|mailto):[^>\s]{1,1000})>"), r"\1"),  # autolinks
    (re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)([^\n]*?)(?:[ \t]+#+)?[ \t]*$", re.M), r"\1"),
    (re.compile(r"^[ \t]{0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$", re.M), ""),  # rules, setext
    (re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+", re.M), ""),  # blockquotes
    (re.compile(r"(\*\*|__)(?=\S)([^\n]{1,1000}?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^\n*]{1,500}?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^\n_]{1,500}?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]{1,1000})`"), r"\1"),  # inline code
]
_MD_TITLE = re.compile(r"^[ \t]{0,3}#[ \t]+([^\n]+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_MD_FRONT_TITLE = re.compile(r"^title:[ \t]*([^\n]+)$", re.M)


def extract(path: Path, max_bytes: int) -> Extraction:
    """The text as prose, titled by its first level-1 heading or front-matter title."""
    text, encoding = read_text(path, max_bytes)
    title = _markdown_title(text)
    text = tidy(strip_markdown(text))
    return Extraction(text, estimate_pages(text), "md", title, None, encoding, [])


def strip_markdown(text: str) -> str:
    """Remove light Markdown syntax so snippets read as prose (linear time)."""
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


def _markdown_title(text: str) -> str | None:
    """First level-1 "# " heading, else a YAML front-matter title."""
    match = _MD_TITLE.search(text)
    if match:
        return short_title(strip_markdown(match.group(1)[:1000]))
    if text.startswith("---\n"):
        end = text.find("\n---", 4, 65536)
        front = _MD_FRONT_TITLE.search(text, 4, end) if end > 0 else None
        if front:
            return short_title(front.group(1).strip().strip("\"'"))
    return None
