"""Text extraction (indexer.extract) and its sandbox (indexer.sandbox).

Every input is generated in tmp_path: PDFs with tests/pdfgen.py, DOCX/ODT with
zipfile, text files with explicit encodings.
"""

from __future__ import annotations

import hashlib
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from archive_testing import gone, unreadable_result

import indexer.formats.pdf as pdf_format
from indexer.extract import (
    SUPPORTED_SUFFIXES,
    Extraction,
    ExtractionError,
    extract,
    ocr_available,
    sniff_format,
)
from indexer.sandbox import ExtractorPool, Limits, crash_reason, extract_isolated
from pdfgen import make_image_pdf, make_pdf, pdf_bytes

PHRASE = "Réindustrialisation à Alès"
ROOT = Path(__file__).resolve().parent.parent


def _reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(ExtractionError) as caught:
        extract(path, **kwargs)
    return caught.value.reason


def _dense_pages(count: int) -> list[str]:
    line = "La politique industrielle française soutient la réindustrialisation des territoires. "
    return [f"Page {n}\n" + (line * 8 + "\n") * 6 for n in range(count)]


# --------------------------------------------------------------------------
# DOCX / ODT builders
# --------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(path: Path, body: str, title: str | None = None, extra: dict[str, str] | None = None) -> Path:
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" '
        f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", document)
        if title is not None:
            archive.writestr(
                "docProps/core.xml",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>{title}</dc:title></cp:coreProperties>",
            )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _para(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _odt(path: Path, body: str, title: str | None = None) -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content xmlns:office="{OFFICE_NS}" xmlns:text="{TEXT_NS}">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        if title is not None:
            archive.writestr(
                "meta.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="{OFFICE_NS}" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<office:meta><dc:title>{title}</dc:title></office:meta></office:document-meta>",
            )
    return path


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def test_pdf_text_accents_title_and_date(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "a.pdf",
        [f"{PHRASE} : « plan de relance » de 100 M€ (œuvre)"],
        title="Stratégie nationale « France 2030 »",
        creation_date="D:20200917103000+02'00'",
    )
    result = extract(path)
    assert PHRASE in result.text
    assert "« plan de relance » de 100 M€ (œuvre)" in result.text
    assert result.pages == 1
    assert result.format == "pdf"
    assert result.title_hint == "Stratégie nationale « France 2030 »"
    assert result.pdf_date == "D:20200917103000+02'00'"
    assert result.notes == []


def test_pdf_pages_are_counted_and_separated(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "three.pdf", ["Premier chapitre", "Deuxième chapitre", "Troisième chapitre"])
    result = extract(path)
    assert result.pages == 3
    assert result.text.split("\f") == ["Premier chapitre", "Deuxième chapitre", "Troisième chapitre"]


def test_pdf_word_export_title_prefix_is_stripped(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "w.pdf", ["x"], title="Microsoft Word - Rapport filière.docx")
    assert extract(path).title_hint == "Rapport filière.docx"


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "owner.pdf", [PHRASE], title="Titre chiffré é", owner_password="proprietaire")
    result = extract(path)
    assert PHRASE in result.text
    assert result.title_hint == "Titre chiffré é"


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "locked.pdf", [PHRASE], user_password="secret", owner_password="owner")
    assert _reason(path) == "PDF protégé par mot de passe"


def test_image_only_pdf_without_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_format, "ocr_available", lambda: False)
    path = make_image_pdf(tmp_path / "scan.pdf", pages=2)
    assert _reason(path) == "pas de couche texte (PDF image ; OCR indisponible)"


@pytest.mark.skipif(not ocr_available(), reason="tesseract (fra) or pdftoppm not installed")
def test_image_only_pdf_is_ocred(tmp_path: Path) -> None:
    text_pdf = make_pdf(tmp_path / "source.pdf", ["REINDUSTRIALISATION DES TERRITOIRES\n\nUsine de Gardanne"])
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-singlefile", text_pdf, tmp_path / "page"], check=True)
    width, height, pixels = _read_pgm(tmp_path / "page.pgm")
    scan = make_image_pdf(tmp_path / "scan.pdf", image=(width, height, pixels))
    result = extract(scan)
    assert "OCR (tesseract, fra)" in result.notes
    assert "REINDUSTRIALISATION" in result.text
    assert result.pages == 1


def _read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Parse a binary PGM (P5, maxval 255) as written by pdftoppm -gray."""
    data = path.read_bytes()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    return int(width), int(height), pixels[: int(width) * int(height)]


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8, 0.97])
def test_truncated_pdf(tmp_path: Path, fraction: float) -> None:
    data = pdf_bytes(_dense_pages(3))
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * fraction)])
    assert _reason(path).startswith("PDF illisible ou corrompu (")


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "bruit.pdf"
    path.write_bytes(os.urandom(4096))
    assert _reason(path).startswith("PDF illisible ou corrompu")


def test_pdf_header_without_structure(tmp_path: Path) -> None:
    path = tmp_path / "faux.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(3000) + b"\n%%EOF\n")
    assert _reason(path).startswith("PDF illisible ou corrompu (")


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "rapport.txt", [PHRASE])
    result = extract(path)
    assert result.format == "pdf"
    assert PHRASE in result.text


# --------------------------------------------------------------------------
# Content sniffing and generic failures
# --------------------------------------------------------------------------


def test_jpeg_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "photo.docx"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    assert _reason(path) == "image JPEG, pas un document texte"


def test_png_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert _reason(path) == "image PNG, pas un document texte"


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "vide.pdf"
    path.touch()
    assert _reason(path) == "fichier vide"


@pytest.mark.parametrize(
    ("name", "content"),
    [("blanc.txt", b"\n"), ("espaces.md", b"  \n\t\n"), ("vide.html", b"<html><body> </body></html>")],
)
def test_a_file_without_any_text_is_unreadable_not_an_empty_document(tmp_path: Path, name: str, content: bytes) -> None:
    """A one-byte text file became a document titled « vide », typed « article », and the upload
    said « indexé »: it is now listed with its reason, like an empty file."""
    path = tmp_path / name
    path.write_bytes(content)
    assert _reason(path) == "aucun texte dans le fichier"


def test_file_too_big(tmp_path: Path) -> None:
    path = tmp_path / "gros.txt"
    path.write_bytes(b"a" * (3 * 2**20))
    assert _reason(path, max_bytes=2**20) == "fichier trop volumineux (3 Mo > 1 Mo)"


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "tableau.xyz"
    path.write_text("des données")
    assert _reason(path) == "format non pris en charge (.xyz)"


def test_legacy_word_document(tmp_path: Path) -> None:
    path = tmp_path / "ancien.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "non pris en charge" in _reason(path)


def test_binary_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "programme.txt"
    path.write_bytes(bytes(range(1, 32)) * 100)
    assert _reason(path) == "fichier binaire, pas un document texte"


def test_sniff_format(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "x.bin", ["a"])
    docx = _docx(tmp_path / "x.zip", _para(_run("a")))
    odt = _odt(tmp_path / "y.zip", "<text:p>a</text:p>")
    html = tmp_path / "page.txt"
    html.write_bytes(b"\xef\xbb\xbf  <!DOCTYPE html><html><body>a</body></html>")
    gif = tmp_path / "anim.pdf"
    gif.write_bytes(b"GIF89a" + bytes(30))
    plain = tmp_path / "notes.pdf"
    plain.write_text("Juste du texte")
    assert sniff_format(pdf) == "pdf"
    assert sniff_format(docx) == "docx"
    assert sniff_format(odt) == "odt"
    assert sniff_format(html) == "html"
    assert sniff_format(gif) == "image"
    assert sniff_format(plain) is None


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".pdf", ".txt", ".md", ".html", ".htm", ".docx", ".odt")


# --------------------------------------------------------------------------
# DOCX / ODT
# --------------------------------------------------------------------------


def test_docx_text_and_title(tmp_path: Path) -> None:
    body = (
        _para(_run("Réindustrialisation "), _run("à Alès"))
        + _para('<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>', _run("Usine"))
        + _para(_run("Col A"), "<w:r><w:tab/></w:r>", _run("Col B"), "<w:r><w:br/></w:r>", _run("Suite"))
        + _para("<w:r><w:delText>supprimé</w:delText></w:r>", _run("gardé"))
        + _para(
            "<w:r><mc:AlternateContent><mc:Choice><w:t>boîte</w:t></mc:Choice>"
            "<mc:Fallback><w:t>boîte</w:t></mc:Fallback></mc:AlternateContent></w:r>"
        )
    )
    footnotes = (
        f'<w:footnotes xmlns:w="{W}"><w:footnote>{_para(_run("Note de bas de page"))}</w:footnote></w:footnotes>'
    )
    path = _docx(tmp_path / "note.docx", body, title="Note « filière » été", extra={"word/footnotes.xml": footnotes})
    result = extract(path)
    assert result.format == "docx"
    assert result.title_hint == "Note « filière » été"
    lines = result.text.split("\n")
    assert lines[:5] == [PHRASE, "Usine", "Col A\tCol B", "Suite", "gardé"]
    assert result.text.count("boîte") == 1
    assert "supprimé" not in result.text
    assert "Note de bas de page" in result.text
    assert result.pages == 1


def test_docx_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("word/document.xml", "w") as member:
            chunk = bytes(2**20)
            for _ in range(200):
                member.write(chunk)
    assert path.stat().st_size < 2 * 2**20
    # Spoil the compressed data past its first bytes, keeping the declared sizes: a reader that
    # inflated the member would stop on the damage; refused as a bomb, it never inflated it.
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)  # local file header
    start = info.header_offset + 30 + name_len + extra_len + 64
    data[start : start + 4096] = bytes(range(256)) * 16
    path.write_bytes(bytes(data))
    with (
        zipfile.ZipFile(path) as archive,
        pytest.raises((zipfile.BadZipFile, zlib.error)),
        archive.open(info) as member,
    ):
        while member.read(2**20):
            pass
    assert _reason(path) == "archive anormalement compressée (bombe zip ?)"


def test_docx_with_dtd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entites.docx"
    evil = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", evil)
    assert "suspect" in _reason(path)


def test_docx_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "abime.docx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(500))
    assert _reason(path).startswith("document Word illisible ou corrompu")


def test_odt_text_and_title(tmp_path: Path) -> None:
    body = (
        '<text:h text:outline-level="1">Réindustrialisation   à Alès</text:h>'
        '<text:p>Deux<text:s text:c="3"/>espaces<text:tab/>tab<text:line-break/>ligne</text:p>'
        "<text:p>Avant<office:annotation><text:p>commentaire</text:p></office:annotation> après</text:p>"
    )
    path = _odt(tmp_path / "doc.odt", body, title="Compte rendu « CNI »")
    result = extract(path)
    assert result.format == "odt"
    assert result.title_hint == "Compte rendu « CNI »"
    assert result.text.split("\n") == [PHRASE, "Deux   espaces\ttab", "ligne", "Avant après"]


def test_odt_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bombe.odt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        with archive.open("content.xml", "w") as member:
            for _ in range(60):
                member.write(b" " * 2**20)
    assert _reason(path) == "archive anormalement compressée (bombe zip ?)"


# --------------------------------------------------------------------------
# Plain text encodings
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (("\ufeff" + PHRASE).encode("utf-16-le"), "utf-16-le"),
        (("\ufeff" + PHRASE).encode("utf-16-be"), "utf-16-be"),
        (PHRASE.encode("utf-16-le"), "utf-16-le"),
        (PHRASE.encode("utf-16-be"), "utf-16-be"),
        (("\ufeff" + PHRASE).encode("utf-32-le"), "utf-32-le"),
        (b"\xef\xbb\xbf" + PHRASE.encode("utf-8"), "utf-8-sig"),
        (PHRASE.encode("utf-8"), "utf-8"),
        (PHRASE.encode("cp1252"), "cp1252"),
        ((PHRASE + " – l’œuvre coûte 5 €").encode("cp1252"), "cp1252"),
        ((PHRASE + " déçu").encode("mac_roman"), "mac_roman"),
    ],
)
def test_text_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(data)
    result = extract(path)
    assert result.text.startswith(PHRASE)
    assert "\ufeff" not in result.text
    assert result.encoding == encoding
    assert result.format == "txt"
    assert result.pages == 1


def test_latin1_fallback(tmp_path: Path) -> None:
    # 0x81/0x8d are undefined in cp1252: only latin-1 decodes this
    path = tmp_path / "vieux.txt"
    path.write_bytes(PHRASE.encode("latin-1") + b" \x81\x8d fin")
    result = extract(path)
    assert result.text.startswith(PHRASE)
    assert result.encoding == "latin-1"


def test_mostly_utf8_with_a_stray_byte(tmp_path: Path) -> None:
    path = tmp_path / "mixte.txt"
    path.write_bytes((PHRASE + " éèàç ").encode("utf-8") * 5 + b"\xe9")
    result = extract(path)
    assert result.encoding == "utf-8"
    assert result.text.startswith(PHRASE)


def test_nul_bytes_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Ligne\x00 un\r\nLigne deux\rLigne trois\x00\n")
    result = extract(path)
    assert result.text == "Ligne un\nLigne deux\nLigne trois"


def test_ten_megabyte_line(tmp_path: Path) -> None:
    path = tmp_path / "ligne.md"
    unit = "mot **gras** [lien](http://x.fr) `code` _souligné_ ![img](a.png) # pas titre "
    path.write_text(unit * (10 * 2**20 // len(unit)))
    # In a worker with a generous limit: a regular expression gone quadratic shows as a failure
    # instead of hanging the suite.
    result = extract_isolated(path, Limits(seconds=600))
    assert result.text.startswith("mot gras lien code souligné  # pas titre mot gras")
    assert result.pages > 1000


def test_markdown_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Plan **France 2030** #\n\n"
        "## Objectifs\n\n"
        "Un texte *important* et __très__ important, voir [le rapport](https://exemple.fr/r.pdf).\n"
        "![schéma](img/schema.png)\n"
        "> Citation du ministre\n\n"
        "- point `un`\n"
        "---\n"
        "```python\n"
        "snake_case = 1\n"
        "```\n"
        "[réf]: https://exemple.fr\n",
        encoding="utf-8",
    )
    result = extract(path)
    assert result.title_hint == "Plan France 2030"
    assert result.format == "md"
    assert result.text.split("\n") == [
        "Plan France 2030",
        "",
        "Objectifs",
        "",
        "Un texte important et très important, voir le rapport.",
        "",
        "Citation du ministre",
        "",
        "- point un",
        "",
        "snake_case = 1",
    ]


def test_markdown_front_matter_title(tmp_path: Path) -> None:
    path = tmp_path / "fm.md"
    path.write_text('---\ntitle: "Note de conjoncture"\n---\nTexte sans titre.\n')
    assert extract(path).title_hint == "Note de conjoncture"


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def test_html_visible_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Actualités &amp; industrie</title>"
        "<style>body { color: red }</style><script>var secret = '</p>';</script></head>"
        "<body><h1>Réindustrialisation à&nbsp;Alès</h1>"
        "<p>Premier <b>paragraphe</b> avec l&rsquo;usine &eacute;tudi&#233;e.</p>"
        "<script>alert(1)</script><noscript>Activez JavaScript</noscript>"
        '<img src=x onerror="alert(2)"><svg><title>icône</title><text>dessin</text></svg>'
        "<template><p>modèle</p></template>"
        "<ul><li>un</li><li>deux</li></ul><table><tr><td>A</td><td>B</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    result = extract(path)
    assert result.format == "html"
    assert result.title_hint == "Actualités & industrie"
    assert result.text.split("\n") == [
        PHRASE,  # &nbsp; becomes a plain space
        "",
        "Premier paragraphe avec l’usine étudiée.",
        "",
        "un",
        "deux",
        "",
        "A B",
    ]
    for hidden in ("alert", "secret", "color", "JavaScript", "icône", "dessin", "modèle", "onerror"):
        assert hidden not in result.text


def test_html_meta_charset_and_h1_title(tmp_path: Path) -> None:
    path = tmp_path / "vieux.htm"
    path.write_bytes(
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        b"<p>Texte \x93cit\xe9\x94 \x80</p><h1>R\xe9sum\xe9</h1></html>"
    )
    result = extract(path)
    assert result.text.split("\n")[0] == "Texte “cité” €"
    assert result.title_hint == "Résumé"
    assert result.encoding == "cp1252"


def test_html_without_closing_head(tmp_path: Path) -> None:
    path = tmp_path / "negligent.html"
    path.write_text("<html><head><title>T</title><p>Corps visible</p>", encoding="utf-8")
    assert extract(path).text == "Corps visible"


# --------------------------------------------------------------------------
# Sandbox
# --------------------------------------------------------------------------


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_source_files_are_not_modified(tmp_path: Path) -> None:
    files = [
        make_pdf(tmp_path / "a.pdf", [PHRASE], title="T"),
        _docx(tmp_path / "b.docx", _para(_run(PHRASE)), title="T"),
        _odt(tmp_path / "c.odt", f"<text:p>{PHRASE}</text:p>", title="T"),
        tmp_path / "d.txt",
        tmp_path / "e.html",
    ]
    files[3].write_bytes(PHRASE.encode("cp1252"))
    files[4].write_text(f"<p>{PHRASE}</p>")
    for path in files:
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
        path.chmod(0o444)
    before = [_fingerprint(path) for path in files]
    for path in files:
        assert PHRASE in extract_isolated(path).text
    assert [_fingerprint(path) for path in files] == before


def test_extract_isolated_reports_errors(tmp_path: Path) -> None:
    path = tmp_path / "vide.txt"
    path.touch()
    with pytest.raises(ExtractionError) as caught:
        extract_isolated(path)
    assert caught.value.reason == "fichier vide"


def test_extract_isolated_applies_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "gros.txt"
    path.write_bytes(b"a " * 2**20)
    with pytest.raises(ExtractionError) as caught:
        extract_isolated(path, Limits(max_bytes=2**20))
    assert caught.value.reason == "fichier trop volumineux (2 Mo > 1 Mo)"


def test_timeout_kills_and_replaces_the_worker(tmp_path: Path) -> None:
    slow = make_pdf(tmp_path / "lent.pdf", _dense_pages(2500))  # about 9 s of pdfium
    quick = make_pdf(tmp_path / "rapide.pdf", [PHRASE])
    # 2 s: the deadline includes starting the replacement worker, slow on a loaded machine.
    with ExtractorPool(1, Limits(seconds=2)) as pool:
        results = dict(pool.imap_unordered([slow, quick]))
    assert isinstance(results[slow], ExtractionError)
    assert results[slow].reason == "extraction interrompue après 2 s (fichier trop complexe ?)"
    assert isinstance(results[quick], Extraction)
    assert PHRASE in results[quick].text


def test_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "enorme.txt"
    path.write_bytes(b"industrie " * (5 * 2**20))  # 50 MB
    with pytest.raises(ExtractionError) as caught:
        extract_isolated(path, Limits(memory_bytes=96 * 2**20))
    assert caught.value.reason == "mémoire dépassée pendant l'extraction"


def test_pool_extracts_everything_in_parallel(tmp_path: Path) -> None:
    files = [make_pdf(tmp_path / f"doc{n}.pdf", [f"{PHRASE} numéro {n}", "suite"]) for n in range(20)]
    with ExtractorPool(2) as pool:
        assert len(pool.worker_pids()) == 2
        results = list(pool.imap_unordered(files))
    assert sorted(path.name for path, _ in results) == sorted(path.name for path in files)
    for path, outcome in results:
        assert isinstance(outcome, Extraction), outcome
        assert f"numéro {path.stem[3:]}" in outcome.text
        assert outcome.pages == 2


def test_pool_mixes_successes_and_failures(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "bon.pdf", [PHRASE])
    empty = tmp_path / "vide.pdf"
    empty.touch()
    with ExtractorPool(2) as pool:
        results = dict(pool.imap_unordered([good, empty, tmp_path / "absent.pdf"]))
    assert isinstance(results[good], Extraction)
    assert results[empty].reason == "fichier vide"
    assert results[tmp_path / "absent.pdf"].reason == "fichier introuvable"


def test_killed_idle_worker_is_replaced(tmp_path: Path) -> None:
    files = [make_pdf(tmp_path / f"d{n}.pdf", [PHRASE]) for n in range(3)]
    with ExtractorPool(1) as pool:
        (victim,) = pool.worker_pids()
        os.kill(victim, signal.SIGKILL)
        results = list(pool.imap_unordered(files))
        assert pool.worker_pids() != [victim]
    assert all(isinstance(outcome, Extraction) for _, outcome in results)


def test_worker_killed_mid_task_is_replaced_and_task_retried(tmp_path: Path) -> None:
    slow = make_pdf(tmp_path / "lent.pdf", _dense_pages(100))  # ~2 s: killed mid-way
    after = make_pdf(tmp_path / "apres.pdf", [PHRASE])
    with ExtractorPool(1) as pool:
        (victim,) = pool.worker_pids()
        threading.Timer(0.3, os.kill, (victim, signal.SIGKILL)).start()
        results = dict(pool.imap_unordered([slow, after]))
        assert pool.worker_pids() != [victim]
    assert isinstance(results[slow], Extraction)
    assert results[slow].pages == 100
    assert PHRASE in results[after].text


def test_crash_reasons() -> None:
    assert crash_reason(-9) == "l'extraction a échoué (processus arrêté : signal 9)"
    assert crash_reason(86) == "mémoire dépassée pendant l'extraction"


def test_stopping_iteration_early_discards_running_tasks(tmp_path: Path) -> None:
    slow = make_pdf(tmp_path / "lent.pdf", _dense_pages(100))
    quick = make_pdf(tmp_path / "rapide.pdf", ["premier"])
    other = make_pdf(tmp_path / "autre.pdf", ["second"])
    with ExtractorPool(2) as pool:
        for path, _outcome in pool.imap_unordered([slow, quick]):
            assert path == quick
            break
        assert [path for path, _ in pool.imap_unordered([other])] == [other]


def _holds_open(pid: int, path: Path) -> bool:
    """`pid` has `path` open (Linux /proc)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except (FileNotFoundError, PermissionError):
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and PR_SET_PDEATHSIG")
def test_no_orphan_workers_when_parent_dies(tmp_path: Path) -> None:
    slow = make_pdf(tmp_path / "lent.pdf", _dense_pages(2500))  # about 9 s of pdfium
    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(ROOT)!r}]\n"
        "from pathlib import Path\n"
        "from indexer.sandbox import ExtractorPool\n"
        "pool = ExtractorPool(2)\n"
        "pool.start()\n"
        "print(*pool.worker_pids(), flush=True)\n"
        f"list(pool.imap_unordered([Path({str(slow)!r})] * 2))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(pids) == 2
    # Wait until both workers are extracting (they hold the slow PDF open), not a guessed delay.
    deadline = time.monotonic() + 60
    while not all(_holds_open(pid, slow) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert all(_holds_open(pid, slow) for pid in pids)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30  # only guards against a hang
    while not all(gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(pid) for pid in pids)


def test_an_answer_the_parent_cannot_read_fails_that_file_only(tmp_path: Path) -> None:
    files = [make_pdf(tmp_path / f"d{n}.pdf", [PHRASE]) for n in range(3)]
    with ExtractorPool(1, finish=unreadable_result) as pool:
        results = dict(pool.imap_unordered(files))
    assert sorted(results) == sorted(files)
    for outcome in results.values():
        assert isinstance(outcome, ExtractionError)
        assert outcome.reason.startswith("réponse illisible du processus d'extraction")


def test_time_limit_counts_the_worker_s_cpu_not_a_busy_machine_s_clock(tmp_path: Path) -> None:
    """A worker that has not used its CPU time is not failed at the clock deadline (the machine
    may be busy); one that waits without computing is stopped at the clock's hang guard."""
    from indexer import sandbox

    fifo = tmp_path / "attente.txt"
    os.mkfifo(fifo)  # opening it blocks the worker without using CPU
    pool = ExtractorPool(1, Limits(seconds=5))
    pool.start()
    try:
        worker = pool._workers[0]
        worker.send(sandbox._Task(fifo), 5.0)
        assert worker.cpu_seconds() is not None
        worker.deadline = worker.started  # the clock deadline has passed
        assert not worker.out_of_time()  # ... but the file used almost no CPU: more time
        assert worker.deadline > worker.started
        worker.started -= 5.0 * sandbox._WALL_FACTOR  # the hang guard has passed too
        worker.deadline = worker.started
        assert worker.out_of_time()
    finally:
        pool._replace(0)
        pool.close()


# --------------------------------------------------------------------------
# The file's own creation date (issue 12: used only when the text has no date)
# --------------------------------------------------------------------------


def test_docx_and_odt_creation_dates_are_read(tmp_path: Path) -> None:
    core = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
        '<dc:title>Note</dc:title><dcterms:created xsi:type="dcterms:W3CDTF" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">2019-05-06T10:00:00Z</dcterms:created>'
        "</cp:coreProperties>"
    )
    path = _docx(tmp_path / "note.docx", _para(_run("Texte")), extra={"docProps/core.xml": core})
    result = extract(path)
    assert (result.pdf_date, result.meta_source, result.title_hint) == ("2019-05-06T10:00:00Z", "docx", "Note")
    assert result.mtime == path.stat().st_mtime


def test_html_meta_publication_date_is_read(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        '<html><head><meta charset="utf-8"><meta property="article:published_time" '
        'content="2021-03-04T08:00:00+01:00"><title>Titre</title></head><body><p>Texte</p></body></html>',
        encoding="utf-8",
    )
    result = extract(path)
    assert (result.pdf_date, result.meta_source) == ("2021-03-04T08:00:00+01:00", "html")


def test_html_site_chrome_is_left_out(tmp_path: Path) -> None:
    """Issue 12: a saved page's cookie banner, menus and « Les plus lus » are not the document
    (they gave actors and places the article never names)."""
    path = tmp_path / "page.html"
    path.write_text(
        '<html><head><meta charset="utf-8"><title>Maubeuge garde la Kangoo | L’Écho du Hainaut</title></head>'
        '<body><div class="cookie" id="cookie-banner">Cookies <div>nested</div> <button>Accepter</button></div>'
        "<header><strong>L’Écho</strong><nav><ul><li><a>Valenciennois</a></li></ul></nav></header>"
        "<article><header><h1>Maubeuge garde la Kangoo</h1></header><p>Le texte de l’article.</p></article>"
        "<aside><h3>Les plus lus</h3><ul><li><a>Toyota Onnaing</a></li></ul></aside>"
        "<footer>Mentions légales</footer><p>Après le pied.</p></body></html>",
        encoding="utf-8",
    )
    result = extract(path)
    assert result.text.split("\n\n") == ["Maubeuge garde la Kangoo", "Le texte de l’article.", "Après le pied."]
    assert result.title_hint == "Maubeuge garde la Kangoo"
