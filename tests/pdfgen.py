"""Dependency-free writer of small PDFs for tests and benchmarks.

Text pages use the standard Helvetica font with WinAnsiEncoding (French accents
work); documents can carry an Info Title/CreationDate and can be encrypted with
the standard 40-bit RC4 security handler (PDF 1.4, revision 2).
"""

from __future__ import annotations

import hashlib
import struct
import textwrap
import zlib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["make_pdf", "make_image_pdf", "pdf_bytes"]

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 56
_WRAP = 90  # characters per line at 10 pt Helvetica
_FONT_SIZE = 10
_LEADING = 13

# Padding string of the standard security handler (PDF 32000-1, 7.6.3.3).
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_PERMISSIONS = -4  # every permission granted


class Name(str):
    """A PDF name object (written as /Name)."""


@dataclass(frozen=True)
class Ref:
    """An indirect reference `num 0 R`."""

    num: int


@dataclass
class Stream:
    """A stream object: dictionary entries plus raw (unfiltered) data."""

    data: bytes
    attrs: dict[str, object] = field(default_factory=dict)


def make_pdf(
    path: Path | str,
    pages: list[str],
    title: str | None = None,
    creation_date: str | None = None,
    *,
    user_password: str | None = None,
    owner_password: str | None = None,
) -> Path:
    """Write a text PDF with one page per string of `pages`; return the path.

    Long lines are wrapped; characters outside cp1252 become "?". Giving a
    user and/or owner password encrypts the file (RC4 40-bit).
    """
    objects = _text_document(pages)
    return _write(path, objects, title, creation_date, user_password, owner_password)


def make_image_pdf(
    path: Path | str,
    pages: int = 1,
    title: str | None = None,
    image: tuple[int, int, bytes] | None = None,
) -> Path:
    """Write a PDF whose pages only draw an image (no text layer).

    `image` is (width, height, 8-bit grey pixels), drawn over the whole page;
    the default is a tiny grey gradient.
    """
    width, height, pixels = image or (8, 8, bytes(range(0, 256, 4)))
    placement = f"q {_PAGE_WIDTH} 0 0 {_PAGE_HEIGHT} 0 0 cm" if image else "q 300 0 0 300 100 400 cm"
    objects: dict[int, object] = {1: {"Type": Name("Catalog"), "Pages": Ref(2)}}
    objects[3] = Stream(
        zlib.compress(pixels),
        {
            "Type": Name("XObject"),
            "Subtype": Name("Image"),
            "Width": width,
            "Height": height,
            "ColorSpace": Name("DeviceGray"),
            "BitsPerComponent": 8,
            "Filter": Name("FlateDecode"),
        },
    )
    kids = []
    for index in range(pages):
        page_num, content_num = 4 + 2 * index, 5 + 2 * index
        kids.append(Ref(page_num))
        objects[page_num] = _page_dict({"XObject": {"Im1": Ref(3)}}, content_num)
        objects[content_num] = Stream(f"{placement} /Im1 Do Q\n".encode())
    objects[2] = {"Type": Name("Pages"), "Kids": kids, "Count": pages}
    return _write(path, objects, title, None, None, None)


def pdf_bytes(
    pages: list[str],
    title: str | None = None,
    creation_date: str | None = None,
    *,
    user_password: str | None = None,
    owner_password: str | None = None,
) -> bytes:
    """Same as make_pdf but return the file content."""
    objects = _text_document(pages)
    return _serialize(objects, title, creation_date, user_password, owner_password)


def _text_document(pages: list[str]) -> dict[int, object]:
    """Objects of a text document: catalog, page tree, font, pages, contents."""
    objects: dict[int, object] = {
        1: {"Type": Name("Catalog"), "Pages": Ref(2)},
        3: {
            "Type": Name("Font"),
            "Subtype": Name("Type1"),
            "BaseFont": Name("Helvetica"),
            "Encoding": Name("WinAnsiEncoding"),
        },
    }
    kids = []
    for index, text in enumerate(pages):
        page_num, content_num = 4 + 2 * index, 5 + 2 * index
        kids.append(Ref(page_num))
        objects[page_num] = _page_dict({"Font": {"F1": Ref(3)}}, content_num)
        objects[content_num] = Stream(_text_content(text))
    objects[2] = {"Type": Name("Pages"), "Kids": kids, "Count": len(pages)}
    return objects


def _page_dict(resources: dict[str, object], content_num: int) -> dict[str, object]:
    return {
        "Type": Name("Page"),
        "Parent": Ref(2),
        "MediaBox": [0, 0, _PAGE_WIDTH, _PAGE_HEIGHT],
        "Resources": resources,
        "Contents": Ref(content_num),
    }


def _text_content(text: str) -> bytes:
    """Content stream drawing `text` line by line from the top-left margin."""
    top = _PAGE_HEIGHT - _MARGIN
    ops = [f"BT /F1 {_FONT_SIZE} Tf {_LEADING} TL {_MARGIN} {top} Td".encode()]
    for paragraph in text.split("\n"):
        lines = textwrap.wrap(paragraph, _WRAP) or [""]
        for line in lines:
            if line:
                ops.append(_literal(line.encode("cp1252", "replace")) + b" Tj")
            ops.append(b"T*")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def _literal(data: bytes) -> bytes:
    """A PDF literal string, octal-escaping everything outside printable ASCII."""
    out = bytearray(b"(")
    for byte in data:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    out += b")"
    return bytes(out)


def _text_string(value: str) -> bytes:
    """Encode a text string: PDFDocEncoding when ASCII, else UTF-16BE with BOM."""
    if value.isascii():
        return value.encode("ascii")
    return b"\xfe\xff" + value.encode("utf-16-be")


def _write(
    path: Path | str,
    objects: dict[int, object],
    title: str | None,
    creation_date: str | None,
    user_password: str | None,
    owner_password: str | None,
) -> Path:
    path = Path(path)
    path.write_bytes(_serialize(objects, title, creation_date, user_password, owner_password))
    return path


def _serialize(
    objects: dict[int, object],
    title: str | None,
    creation_date: str | None,
    user_password: str | None,
    owner_password: str | None,
) -> bytes:
    """Assemble a complete PDF file with a correct cross-reference table."""
    objects = dict(objects)
    next_num = max(objects) + 1
    trailer: dict[str, object] = {"Root": Ref(1)}
    info: dict[str, object] = {}
    if title is not None:
        info["Title"] = _text_string(title)
    if creation_date is not None:
        info["CreationDate"] = creation_date.encode("ascii")
    if info:
        objects[next_num] = info
        trailer["Info"] = Ref(next_num)
        next_num += 1
    file_id = hashlib.md5(repr(sorted(objects)).encode() + repr(info).encode()).digest()
    trailer["ID"] = [file_id, file_id]
    crypt: _RC4Crypt | None = None
    if user_password is not None or owner_password is not None:
        crypt = _RC4Crypt(user_password or "", owner_password or user_password or "", file_id)
        objects[next_num] = crypt.encrypt_dict()
        trailer["Encrypt"] = Ref(next_num)
        crypt.skip = next_num
        next_num += 1
    trailer["Size"] = next_num

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        body = _serialize_obj(objects[num], num, crypt)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % next_num
    for num in range(1, next_num):
        if num in offsets:
            out += b"%010d 00000 n \n" % offsets[num]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n" + _serialize_obj(trailer, 0, None)
    out += b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _serialize_obj(obj: object, num: int, crypt: _RC4Crypt | None) -> bytes:
    """PDF syntax for a Python value; strings and streams of `num` are encrypted."""
    if isinstance(obj, Stream):
        data = crypt.apply(num, obj.data) if crypt else obj.data
        attrs = dict(obj.attrs, Length=len(data))
        return _serialize_obj(attrs, num, crypt) + b"\nstream\n" + data + b"\nendstream"
    if obj is None:
        return b"null"
    if isinstance(obj, bool):
        return b"true" if obj else b"false"
    if isinstance(obj, Name):
        return b"/" + obj.encode("ascii")
    if isinstance(obj, int):
        return b"%d" % obj
    if isinstance(obj, float):
        return f"{obj:.4f}".encode()
    if isinstance(obj, Ref):
        return b"%d 0 R" % obj.num
    if isinstance(obj, str):
        obj = _text_string(obj)
    if isinstance(obj, bytes):
        data = crypt.apply(num, obj) if crypt else obj
        return b"<" + data.hex().upper().encode() + b">"
    if isinstance(obj, list):
        return b"[" + b" ".join(_serialize_obj(item, num, crypt) for item in obj) + b"]"
    if isinstance(obj, dict):
        items = b" ".join(
            b"/" + key.encode("ascii") + b" " + _serialize_obj(value, num, crypt) for key, value in obj.items()
        )
        return b"<< " + items + b" >>"
    raise TypeError(f"cannot serialize {type(obj).__name__}")


def _rc4(key: bytes, data: bytes) -> bytes:
    """RC4 stream cipher (encryption and decryption are the same)."""
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray(len(data))
    i = j = 0
    for index, byte in enumerate(data):
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out[index] = byte ^ state[(state[i] + state[j]) % 256]
    return bytes(out)


def _padded(password: str) -> bytes:
    raw = password.encode("latin-1")[:32]
    return raw + _PAD[: 32 - len(raw)]


class _RC4Crypt:
    """Standard security handler, V1/R2 (40-bit RC4), PDF 32000-1 §7.6.3."""

    def __init__(self, user_password: str, owner_password: str, file_id: bytes) -> None:
        owner_key = hashlib.md5(_padded(owner_password)).digest()[:5]
        self.owner_entry = _rc4(owner_key, _padded(user_password))
        seed = _padded(user_password) + self.owner_entry
        seed += struct.pack("<i", _PERMISSIONS) + file_id
        self.key = hashlib.md5(seed).digest()[:5]
        self.user_entry = _rc4(self.key, _PAD)
        self.skip = -1  # the Encrypt dictionary itself is never encrypted

    def encrypt_dict(self) -> dict[str, object]:
        return {
            "Filter": Name("Standard"),
            "V": 1,
            "R": 2,
            "O": self.owner_entry,
            "U": self.user_entry,
            "P": _PERMISSIONS,
        }

    def apply(self, num: int, data: bytes) -> bytes:
        if num in (0, self.skip):
            return data
        object_key = hashlib.md5(self.key + struct.pack("<i", num)[:3] + b"\x00\x00").digest()
        return _rc4(object_key[:10], data)
