"""Uploaded files: safe names, never outside the corpus, never overwriting, atomic, then indexed."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from indexer.pipeline import IndexReport
from indexer.scan import scan_corpus
from indexer.upload import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    content_id,
    outcomes_after_indexing,
    safe_name,
    save_upload,
)


def all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    return root


@pytest.mark.parametrize(
    "hostile",
    [
        "../../x.pdf",
        "../../../../../../tmp/x.pdf",
        "/etc/x.pdf",
        "..\\..\\x.pdf",
        "C:\\Windows\\x.pdf",
        "uploads/../../x.pdf",
    ],
)
def test_directories_are_stripped_and_nothing_leaves_the_corpus(tmp_path: Path, corpus: Path, hostile: str) -> None:
    outside_before = all_files(tmp_path) - all_files(corpus)
    path = save_upload(corpus, hostile, b"contenu", subdir="uploads")
    assert path.name == "x.pdf"
    assert path.parent == (corpus / "uploads").resolve()
    assert path.read_bytes() == b"contenu"
    assert all_files(tmp_path) - all_files(corpus) == outside_before


def test_hostile_subdir_is_refused(corpus: Path) -> None:
    with pytest.raises(ValueError):
        save_upload(corpus, "x.pdf", b"a", subdir="../dehors")


def test_symlinked_upload_folder_leaving_the_corpus_is_refused(tmp_path: Path, corpus: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (corpus / "uploads").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError):
        save_upload(corpus, "x.pdf", b"a")
    assert list(outside.iterdir()) == []


def test_nfd_accents_become_nfc(corpus: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Résumé de l'étude.pdf")
    assert nfd != unicodedata.normalize("NFC", nfd)
    path = save_upload(corpus, nfd, b"a")
    assert path.name == "Résumé de l'étude.pdf"
    assert unicodedata.is_normalized("NFC", path.name)


def test_emoji_are_kept_and_the_name_stays_valid(corpus: Path) -> None:
    path = save_upload(corpus, "📄 rapport 🚀 2024.pdf", b"a")
    assert path.exists() and path.suffix == ".pdf"
    assert "rapport" in path.name


def test_long_names_are_cut_keeping_the_extension(corpus: Path) -> None:
    path = save_upload(corpus, "a" * 250 + ".pdf", b"a")
    assert path.suffix == ".pdf"
    assert len(path.name) <= MAX_NAME_CHARS
    emoji = save_upload(corpus, "🚀" * 250 + ".docx", b"b")
    assert emoji.suffix == ".docx"
    assert len(emoji.name.encode("utf-8")) <= MAX_NAME_BYTES


def test_leading_dashes_dots_and_control_characters_are_removed(corpus: Path) -> None:
    assert save_upload(corpus, "--rm -rf.pdf", b"1").name == "rm -rf.pdf"
    assert save_upload(corpus, ".cache.pdf", b"2").name == "cache.pdf"
    assert save_upload(corpus, "~$brouillon.docx", b"3").name == "$brouillon.docx"
    assert save_upload(corpus, "ab\x00c\x1b[31m\u202efdp.txt", b"4").name == "abc[31mfdp.txt"
    assert save_upload(corpus, "...", b"5").name == "document"
    # Every saved file is seen by the scanner (nothing hidden or transient).
    files, _ = scan_corpus(corpus)
    assert len(files) == 4  # "document" has no extension: refused by the scanner, as it should be


def test_a_sidecar_name_cannot_be_uploaded_as_such(corpus: Path) -> None:
    path = save_upload(corpus, "rapport.pdf.meta.yaml", "title: piège".encode())
    assert not path.name.endswith(".meta.yaml")


def test_a_clash_gets_a_suffix_and_never_overwrites(corpus: Path) -> None:
    first = save_upload(corpus, "rapport.pdf", b"un")
    second = save_upload(corpus, "rapport.pdf", b"deux")
    third = save_upload(corpus, "../rapport.pdf", b"trois")
    assert [first.name, second.name, third.name] == ["rapport.pdf", "rapport (2).pdf", "rapport (3).pdf"]
    assert first.read_bytes() == b"un" and second.read_bytes() == b"deux" and third.read_bytes() == b"trois"


def test_a_long_name_with_a_clash_keeps_its_extension(corpus: Path) -> None:
    name = "b" * 300 + ".pdf"
    first, second = save_upload(corpus, name, b"1"), save_upload(corpus, name, b"2")
    assert second.name.endswith(" (2).pdf") and len(second.name) <= MAX_NAME_CHARS
    assert first != second


def test_no_temporary_file_is_left_behind(corpus: Path) -> None:
    save_upload(corpus, "a.txt", b"a")
    save_upload(corpus, "a.txt", b"b")
    names = sorted(p.name for p in (corpus / "uploads").iterdir())
    assert names == ["a (2).txt", "a.txt"]


def test_a_failed_write_leaves_nothing(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        save_upload(corpus, "a.txt", b"a")
    assert list((corpus / "uploads").iterdir()) == []


def test_content_id_is_the_indexer_id() -> None:
    import hashlib

    assert content_id(b"abc") == hashlib.sha256(b"abc").hexdigest()[:16]


def test_outcomes_after_indexing(corpus: Path) -> None:
    good = save_upload(corpus, "bon.txt", b"bon")
    bad = save_upload(corpus, "mauvais.pdf", b"pas un pdf")
    report = IndexReport(failed=[{"path": "uploads/mauvais.pdf", "reason": "PDF illisible"}])
    saved = [("bon.txt", good, content_id(b"bon")), ("mauvais.pdf", bad, content_id(b"pas un pdf"))]
    out = outcomes_after_indexing(corpus, saved, report, {content_id(b"bon")})
    assert [(o.name, o.status) for o in out] == [("bon.txt", "indexé"), ("mauvais.pdf", "échec")]
    assert out[0].doc_id == content_id(b"bon") and out[0].path == "uploads/bon.txt"
    assert out[1].reason == "PDF illisible"


def test_safe_name_examples() -> None:
    assert safe_name("rapport<script>.pdf") == "rapport_script_.pdf"
    assert safe_name("  espaces   multiples .txt ") == "espaces multiples.txt"
    assert safe_name("") == "document"
