"""Decode the bytes of a text file whose encoding nobody declared (text files, HTML fallback)."""

from __future__ import annotations

import codecs
import re

from indexer.formats.base import HEAD_SIZE, ExtractionError

__all__ = ["BOMS", "decode_bytes"]

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SUSPICIOUS_CHARS = re.compile(
    "[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f\u0192\u02c6\u2030\u0160\u2039\u017d\u0161\u017e\u0178\u02dc\u203a\u2020\u2021\u00ac\u221a\u2248\u2206\u25ca\u0131]"
)
_FRENCH_CHARS = "éèêëàâçôîïùûœÉÀÇ«»’€…–—°"
_SAMPLE = 1 << 20


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes; return (text, encoding name). Raise if it looks binary."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            body = data[len(bom) :] if codec != "utf-8-sig" else data
            return body.decode(codec, "replace"), codec
    utf16 = _guess_utf16(data[:4096])
    if utf16:
        return data[: len(data) // 2 * 2].decode(utf16, "replace"), utf16
    if len(_CONTROL_BYTES.findall(data[:HEAD_SIZE])) > len(data[:HEAD_SIZE]) // 10:
        raise ExtractionError("fichier binaire, pas un document texte")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", "replace")
    invalid = lenient.count("\ufffd")
    if len(data) - len(lenient) >= 4 * invalid:  # mostly valid multibyte sequences
        return lenient, "utf-8"
    del lenient
    return _decode_legacy(data)


def _guess_utf16(sample: bytes) -> str | None:
    """UTF-16 without BOM: NUL bytes concentrated on odd (LE) or even (BE) offsets."""
    half = len(sample) // 2
    if half < 2:
        return None
    even_nuls = sample[0::2].count(0) / half
    odd_nuls = sample[1::2].count(0) / half
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """cp1252 when it decodes and looks like French, else Mac Roman or latin-1."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    sample = data[:_SAMPLE]
    mac_score = _french_score(sample.decode("mac_roman"))
    if text is not None and _french_score(text[:_SAMPLE]) >= mac_score:
        return text, "cp1252"
    if mac_score > max(0, _french_score(sample.decode("latin-1"))):
        return data.decode("mac_roman"), "mac_roman"
    return data.decode("latin-1"), "latin-1"


def _french_score(sample: str) -> int:
    good = sum(sample.count(char) for char in _FRENCH_CHARS)
    return good - 3 * len(_SUSPICIOUS_CHARS.findall(sample))
