"""Small pure helpers for what the app displays: escaping, French dates, numbers, names."""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

from archive.text import LANGUAGE_NAMES, MONTHS, number

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:=])")
_MD_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+.)])")


def esc(value: object) -> str:
    """Document-derived text made safe for HTML (quotes included, for attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def md(value: object) -> str:
    """Document-derived text made inert for Streamlit markdown (labels, titles, captions)."""
    text = " ".join(("" if value is None else str(value)).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def french_date(date: str | None) -> str:
    """2020-09-17 → 17 septembre 2020; 2026-03 → mars 2026; 2011 → 2011."""
    if not date:
        return "sans date"
    parts = date.split("-")
    try:
        if len(parts) >= 3:
            day = int(parts[2])
            return f"{'1er' if day == 1 else day} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return date
    return parts[0]


def french_timestamp(stamp: str | None) -> str:
    """2026-03-26T14:05:09 → 26 mars 2026 à 14 h 05."""
    if not stamp:
        return "jamais"
    day, _, clock = stamp.partition("T")
    if not clock:
        return french_date(day)
    hours, minutes = (clock.split(":") + ["00", "00"])[:2]
    try:
        return f"{french_date(day)} à {int(hours)} h {minutes}"
    except ValueError:
        return stamp


def french_period(period: str) -> str:
    """Timeline period label: 2020 → 2020; 2020-09 → septembre 2020."""
    return french_date(period) if "-" in period else period


def language_name(code: str | None) -> str:
    code = (code or "").lower()
    return LANGUAGE_NAMES.get(code, code)


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < 1024**2:
        return f"{number(round(size / 1024, 1))} Ko"
    return f"{number(round(size / 1024**2, 1))} Mo"


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, or None: never a javascript: or data: link from a document's metadata."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return url.strip()
    return None
