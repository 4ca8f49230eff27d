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


def test_a_long_name_cut_into_a_sidecar_name_is_not_a_sidecar() -> None:
    """The `.meta.yaml` check ran before truncation: the cut name became another file's sheet."""
    name = "a" * 136 + ".txt.meta.yaml" + ".averyverylongext"
    cut = safe_name(name)
    assert len(cut) <= MAX_NAME_CHARS
    assert not cut.lower().endswith(".meta.yaml"), cut


def test_an_upload_named_like_an_indexed_file_in_another_unicode_form_keeps_it_indexed(tmp_path: Path) -> None:
    """« Réunion.txt » in NFD (from a Mac) is indexed; the same name uploaded (NFC) was saved beside
    it, and the scan then refused both: the indexed document disappeared from search."""
    from archive.engine import open_engine
    from archive.models import SearchRequest
    from indexer.pipeline import index_corpus

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    (corpus / "uploads").mkdir(parents=True)
    nfd = unicodedata.normalize("NFD", "Réunion.txt")
    (corpus / "uploads" / nfd).write_text("Compte rendu de la réunion sur Florange.", encoding="utf-8")
    index_corpus(corpus, index)
    saved = save_upload(corpus, "Réunion.txt", b"Un autre texte, sur Gardanne.")
    assert unicodedata.normalize("NFC", saved.name) != "Réunion.txt"  # stored under a distinct name
    report = index_corpus(corpus, index)
    assert report.failed == []
    engine = open_engine(index)
    try:
        assert engine.search(SearchRequest(query="Florange")).total == 1
        assert engine.search(SearchRequest(query="Gardanne")).total == 1
    finally:
        engine.close()


def test_a_file_dropped_beside_an_indexed_one_in_another_unicode_form_is_refused_not_the_indexed_one(
    tmp_path: Path,
) -> None:
    from archive.engine import open_engine
    from archive.models import SearchRequest
    from indexer.check import check_archive
    from indexer.pipeline import index_corpus

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / unicodedata.normalize("NFD", "Réunion.txt")).write_text("Réunion sur Florange.", encoding="utf-8")
    index_corpus(corpus, index)
    (corpus / unicodedata.normalize("NFC", "Réunion.txt")).write_text("Réunion sur Gardanne.", encoding="utf-8")
    report = index_corpus(corpus, index)
    assert len(report.failed) == 1 and "déjà indexé" in report.failed[0]["reason"]
    engine = open_engine(index)
    try:
        assert engine.search(SearchRequest(query="Florange")).total == 1  # still found
        assert engine.search(SearchRequest(query="Gardanne")).total == 0
    finally:
        engine.close()
    assert check_archive(corpus, index)["ok"], check_archive(corpus, index)["problems"]


def test_only_an_upload_can_be_removed(tmp_path: Path) -> None:
    """remove_upload deletes a copy the app stored under uploads/ (and its sidecar), nothing else."""
    from indexer.upload import remove_upload

    (tmp_path / "uploads").mkdir()
    (tmp_path / "depose.pdf").write_bytes(b"x")
    (tmp_path / "uploads" / "a.txt").write_text("a", encoding="utf-8")
    for outside in ("depose.pdf", "uploads/../depose.pdf", "../depose.pdf", "uploads", "uploads/absent.txt"):
        with pytest.raises(ValueError):
            remove_upload(tmp_path, outside)
    assert (tmp_path / "depose.pdf").exists()
    remove_upload(tmp_path, "uploads/a.txt")
    assert not (tmp_path / "uploads" / "a.txt").exists()
