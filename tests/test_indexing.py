"""The indexer on real folders: seeds metadata, incremental runs, failures, sidecars, versions."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from archive import store
from archive.engine import open_engine
from archive.models import IndexOutdated, SearchRequest
from archive.store import index_stats
from conftest import SEEDS, seed_id
from indexer.manifest import Failure, Manifest
from indexer.pipeline import index_corpus, needs_rebuild
from indexer.scan import document_id


def search_ids(index: Path, query: str) -> set[str]:
    engine = open_engine(index)
    try:
        return {h.id for h in engine.search(SearchRequest(query=query, limit=100)).hits if not h.partial}
    finally:
        engine.close()


def all_records(index: Path) -> dict[str, object]:
    engine = open_engine(index)
    try:
        hits = engine.search(SearchRequest(limit=1000, with_snippets=False)).hits
        return {h.id: engine.document(h.id) for h in hits}
    finally:
        engine.close()


# Every actor and place each seed names (checked against the texts by hand); places include
# their department and region (the facet rolls up).
SEED_EXPECTATIONS = {
    "000_02ff9b493d201e94.txt": {
        "date": "2026-03-26",
        "actors": {
            "CGT",
            "UD CGT Isère",
            "Bpifrance",
            "Banque des Territoires",
            "Sophie Binet",
            "Sébastien Martin",
            "Gisèle Rossat-Mignod",
            "Vencorex",
        },
        "places": {"Pont-de-Claix", "Isère", "Auvergne-Rhône-Alpes"},
        "doc_type": "invitation",
    },
    "001_a69f9742cd6947c7.txt": {
        "date": "2026-03-26",
        "actors": {
            "CGT",
            "FILPAC CGT",
            "ArcelorMittal",
            "Renault",
            "Autajon",
            "Banque des Territoires",
            "Bpifrance",
            "Chapelle Darblay",
            "Dares",
            "Duralex",
            "Fonderie de Bretagne",
            "Gisèle Rossat-Mignod",
            "Sophie Binet",
            "Sébastien Martin",
            "Valdunes",
            "Vencorex",
        },
        "places": {
            "Pont-de-Claix",
            "Isère",
            "Auvergne-Rhône-Alpes",
            "Gardanne",
            "Bouches-du-Rhône",
            "Provence-Alpes-Côte d'Azur",
        },
    },
    "002_c7b655d0d8bf7451.txt": {
        "date": "2011-04-04",
        # The president (in office that day) is the person, not the institution.
        "actors": {"Nicolas Sarkozy", "Éric Besson"},
        "places": {"Essonne", "Île-de-France"},
    },
    "003_cd4a00d7b808f3bd.txt": {
        "date": None,
        "doc_type": "programme",
        # The State and CCI France are named in passing, not acting: not central actors.
        "actors": set(),
        "places": set(),
    },
    "004_6319599e635f7534.txt": {
        "date": "2020-09-17",
        "actors": {
            "Guillaume Basset",
            "Christophe Rivenq",
            "Alès Agglomération",
            "Conseil national de l'industrie",
            # « Lancé par le Premier ministre le 22 novembre 2018 »: the holder on the date the sentence
            # gives, not on the document's (2020-09-17: Jean Castex). « auprès du ministre de
            # l'Économie » only titles Guillaume Basset's post: the minister does not act.
            "Édouard Philippe",
            "Région Occitanie",
        },
        # « plan de relance » in September 2020 is France Relance.
        "schemes": {"Territoires d'industrie", "France Relance"},
        "places": {"Alès", "Gard", "Occitanie"},
        "doc_type": "communiqué de presse",
    },
}


@pytest.mark.parametrize("file_name", sorted(SEED_EXPECTATIONS))
def test_seed_metadata(seed_engine, file_name: str) -> None:
    record = seed_engine.document(seed_id(seed_engine, file_name))
    expected = SEED_EXPECTATIONS[file_name]
    assert record.date == expected["date"]
    assert record.year == (int(expected["date"][:4]) if expected["date"] else None)
    assert set(record.actors) == expected["actors"]
    assert len(record.actors) == len(expected["actors"])
    assert set(record.places) == expected["places"]
    assert len(record.places) == len(expected["places"])
    assert set(record.schemes) == expected.get("schemes", set())
    if "doc_type" in expected:
        assert record.doc_type == expected["doc_type"]
    assert record.language == "fr"
    assert 1 <= len(record.themes) <= 3
    assert record.sha256 == hashlib.sha256((SEEDS / file_name).read_bytes()).hexdigest()
    assert record.id == record.sha256[:16]
    assert record.size == (SEEDS / file_name).stat().st_size
    assert record.paths == [file_name]


def test_seed_themes(seed_engine) -> None:
    themes = {f: set(seed_engine.document(seed_id(seed_engine, f)).themes) for f in SEED_EXPECTATIONS}
    assert themes["000_02ff9b493d201e94.txt"] & {"emploi", "fermeture et restructuration", "relocalisation"}
    assert themes["003_cd4a00d7b808f3bd.txt"] & {"relocalisation", "formation et compétences", "territoires"}
    assert "territoires" in themes["004_6319599e635f7534.txt"]


def test_incremental_add_change_delete_rename(workspace) -> None:
    corpus, index = workspace
    (corpus / "a.txt").write_text("Plan de relance pour la sidérurgie à Dunkerque.", encoding="utf-8")
    (corpus / "b.txt").write_text("Les salariés de la chimie à Roussillon.", encoding="utf-8")
    first = index_corpus(corpus, index)
    assert (first.added, first.documents) == (2, 2)

    again = index_corpus(corpus, index)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)

    old_ids = search_ids(index, "Dunkerque")
    (corpus / "sub").mkdir()
    os.rename(corpus / "a.txt", corpus / "sub" / "renamed.txt")
    moved = index_corpus(corpus, index)
    assert moved.added == 0 and moved.removed == 0 and moved.updated == 1
    assert search_ids(index, "Dunkerque") == old_ids  # same id after a move
    record = next(iter(all_records(index)[i] for i in old_ids))
    assert record.paths == ["sub/renamed.txt"]

    time.sleep(0.01)
    (corpus / "b.txt").write_text("Les salariées de la chimie à Roussillon et Salaise.", encoding="utf-8")
    changed = index_corpus(corpus, index)
    assert changed.added == 1 and changed.removed == 1
    assert search_ids(index, "Salaise")

    (corpus / "b.txt").unlink()
    deleted = index_corpus(corpus, index)
    assert deleted.removed == 1 and deleted.documents == 1
    assert search_ids(index, "Roussillon") == set()


def test_identical_files_are_one_document_with_both_paths(workspace) -> None:
    corpus, index = workspace
    text = "Communiqué : Bpifrance soutient l'usine de Flins."
    (corpus / "one.txt").write_text(text, encoding="utf-8")
    (corpus / "copy.txt").write_text(text, encoding="utf-8")
    report = index_corpus(corpus, index)
    assert report.documents == 1
    (record,) = all_records(index).values()
    assert record.paths == ["copy.txt", "one.txt"]


def test_bad_files_are_listed_and_the_rest_indexed(workspace) -> None:
    corpus, index = workspace
    (corpus / "good.txt").write_text("La réindustrialisation de la vallée.", encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (corpus / "image.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    (corpus / "empty.txt").write_bytes(b"")
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    report = index_corpus(corpus, index)
    assert report.documents == 1
    failed = {f["path"]: f["reason"] for f in report.failed}
    assert set(failed) == {"broken.pdf", "image.jpg", "empty.txt"}
    assert "non pris en charge" in failed["image.jpg"]
    assert all(reason and "\n" not in reason for reason in failed.values())
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before  # originals untouched
    engine = open_engine(index)
    assert {f["path"] for f in index_stats(engine, index).failed} == set(failed)
    engine.close()
    # A failed file replaced by a good version leaves the list by itself.
    (corpus / "broken.pdf").unlink()
    (corpus / "empty.txt").write_text("Désormais un texte sur l'emploi.", encoding="utf-8")
    fixed = index_corpus(corpus, index)
    assert {f["path"] for f in fixed.failed} == {"image.jpg"}
    assert fixed.documents == 2


def test_sidecar_overrides_extraction(workspace) -> None:
    corpus, index = workspace
    doc = corpus / "note.txt"
    doc.write_text("Réunion du 3 mars 2015 sur l'emploi industriel.", encoding="utf-8")
    index_corpus(corpus, index)
    (record,) = all_records(index).values()
    assert record.date == "2015-03-03" and record.provenance["date"] == "extrait"
    (corpus / "note.txt.meta.yaml").write_text(
        "title: Note interne\ndate: 2016-05\nactors: [CFDT]\nthemes: [numérique]\nsource_url: https://example.org\n",
        encoding="utf-8",
    )
    report = index_corpus(corpus, index)
    assert report.updated == 1
    (record,) = all_records(index).values()
    assert (record.title, record.date, record.year) == ("Note interne", "2016-05", 2016)
    assert record.actors == ["CFDT"] and record.themes == ["numérique"]
    assert record.provenance["title"] == "fiche" and record.source_url == "https://example.org"


@pytest.mark.parametrize(
    ("sheet", "ignored"),
    [
        ("title: Note interne\nactors: 5\n", "actors"),
        ("title: Note interne\ndate: 2019-13-45\n", "date"),
        ("title: Note interne\nthemes: {emploi: 1}\n", "themes"),
        ("title: Note interne\nlanguage: [fr, en]\n", "language"),
    ],
)
def test_a_sidecar_field_of_the_wrong_kind_is_ignored_with_a_note(workspace, sheet: str, ignored: str) -> None:
    """`actors: 5` or `date: 2019-13-45` made the whole document fail (« erreur interne »)."""
    corpus, index = workspace
    (corpus / "note.txt").write_text("Réunion du 3 mars 2015 sur l'emploi industriel à Sochaux.", encoding="utf-8")
    (corpus / "note.txt.meta.yaml").write_text(sheet, encoding="utf-8")
    report = index_corpus(corpus, index)
    assert report.failed == [] and report.documents == 1
    (record,) = all_records(index).values()
    assert record.title == "Note interne"  # the fields that are right still apply
    assert any("note.txt.meta.yaml" in n and f"« {ignored} »" in n for n in record.notes), record.notes
    engine = open_engine(index)
    try:
        assert engine.search(SearchRequest(query="Sochaux")).total == 1
    finally:
        engine.close()


def test_a_sidecar_title_is_capped(workspace) -> None:
    corpus, index = workspace
    (corpus / "note.txt").write_text("Texte sur l'emploi.", encoding="utf-8")
    (corpus / "note.txt.meta.yaml").write_text("title: " + "très long titre " * 200 + "\n", encoding="utf-8")
    index_corpus(corpus, index)
    (record,) = all_records(index).values()
    assert 0 < len(record.title) <= 302 and any("titre raccourci" in n for n in record.notes)


def test_version_change_triggers_rebuild(workspace, monkeypatch) -> None:
    corpus, index = workspace
    (corpus / "a.txt").write_text("Texte sur la filière automobile à Sochaux.", encoding="utf-8")
    index_corpus(corpus, index)
    live = store.live_dir(index)
    store.write_json_atomic(live / store.META_FILE, {"index_version": "0.0"})
    with pytest.raises(IndexOutdated):
        open_engine(index)
    assert needs_rebuild(index)
    report = index_corpus(corpus, index)
    assert report.rebuilt and report.documents == 1
    assert store.live_dir(index) != live
    assert search_ids(index, "Sochaux")


def test_rebuild_swaps_generations(workspace) -> None:
    corpus, index = workspace
    (corpus / "a.txt").write_text("Texte sur Airbus à Blagnac.", encoding="utf-8")
    index_corpus(corpus, index)
    engine = open_engine(index)  # a reader opened before the rebuild keeps working
    before = store.live_dir(index)
    report = index_corpus(corpus, index, rebuild=True)
    assert report.rebuilt and store.live_dir(index) != before
    assert engine.search(SearchRequest(query="Blagnac")).total == 1
    engine.close()


def test_state_file_is_json_with_failures(workspace) -> None:
    corpus, index = workspace
    (corpus / "x.xyz").write_text("?", encoding="utf-8")
    index_corpus(corpus, index)
    state = json.loads((store.live_dir(index) / store.STATE_FILE).read_text(encoding="utf-8"))
    assert state["failed"]["x.xyz"]["tries"] == 1
    index_corpus(corpus, index)
    state = json.loads((store.live_dir(index) / store.STATE_FILE).read_text(encoding="utf-8"))
    assert state["failed"]["x.xyz"]["tries"] == 1  # an unchanged refusal is not retried


def test_the_typed_manifest_reads_and_writes_state_json_key_for_key(workspace, tmp_path) -> None:
    """state.json written by the indexer (indexed files, a refused and an unreadable file, a
    failure from before the typed manifest without its stat) reads into FileEntry/Failure and
    writes back the same JSON."""
    corpus, index = workspace
    (corpus / "good.txt").write_text("La réindustrialisation de la vallée.", encoding="utf-8")
    (corpus / "x.xyz").write_text("?", encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    index_corpus(corpus, index)
    live = store.live_dir(index)
    state = json.loads((live / store.STATE_FILE).read_text(encoding="utf-8"))
    state["failed"]["old.pdf"] = {"reason": "illisible", "when": "2024-01-01T00:00:00", "tries": 3}
    store.write_state(live, state)
    manifest = Manifest.read(live)
    assert manifest.files["good.txt"].id == document_id(manifest.files["good.txt"].sha256)
    assert manifest.failed["broken.pdf"].size == (corpus / "broken.pdf").stat().st_size
    assert manifest.failed["x.xyz"].size is None and manifest.failed["old.pdf"].tries == 3
    copy = tmp_path / "copy"
    copy.mkdir()
    manifest.write(copy)
    assert json.loads((copy / store.STATE_FILE).read_text(encoding="utf-8")) == state
    again = Failure.after(manifest.failed["old.pdf"], "toujours illisible", None)
    assert (again.tries, again.reason, again.size) == (4, "toujours illisible", None)


def test_seed_copy_is_unmodified(tmp_path) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus)
    stats_before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in corpus.iterdir()}
    index_corpus(corpus, tmp_path / "i")
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in corpus.iterdir()} == stats_before


def test_reextract_applies_a_new_gazetteer_actor(workspace, monkeypatch) -> None:
    from archive import gazetteer

    corpus, index = workspace
    (corpus / "a.txt").write_text("La société Zorglub Industries ouvre une usine à Dunkerque.", encoding="utf-8")
    (corpus / "b.txt").write_text("Rien à signaler sur la filière chimie.", encoding="utf-8")
    index_corpus(corpus, index)
    (doc,) = search_ids(index, "Dunkerque")
    # Detected by wording (« la société … », issue 12): an actor marked « détecté » until confirmed.
    assert all_records(index)[doc].actors_detected == ["Zorglub Industries"]
    # A private copy of the gazetteer (workers inherit the variable), so the project's is left alone.
    vocab = corpus.parent / "vocab"
    shutil.copytree(gazetteer.VOCAB_DIR, vocab)
    monkeypatch.setenv("ARCHIVE_VOCAB_DIR", str(vocab))
    gazetteer.clear_caches()
    gazetteer.add_actor("Zorglub Industries", "entreprises")
    report = index_corpus(corpus, index, reextract={doc})
    assert (report.updated, report.unchanged) == (1, 1)
    assert "Zorglub Industries" in all_records(index)[doc].actors
    assert all_records(index)[doc].actors_detected == []  # confirmed: a gazetteer actor now
    assert "Zorglub Industries" not in (gazetteer.VOCAB_DIR / "actors.yaml").read_text(encoding="utf-8")
    monkeypatch.delenv("ARCHIVE_VOCAB_DIR")
    gazetteer.clear_caches()


def test_a_failure_between_batches_is_reported_as_itself(workspace, monkeypatch) -> None:
    """A writer that cannot be reopened after a batch commit: that error comes out, not the
    closed writer's complaint when the run is cancelled."""
    import indexer.pipeline as pipeline

    corpus, index = workspace
    for i in range(4):
        (corpus / f"n{i}.txt").write_text(f"Note {i} sur l'usine et l'emploi industriel.", encoding="utf-8")
    real = pipeline.create_writer
    calls = []

    def failing_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disque plein (simulé)")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "create_writer", failing_second_time)
    with pytest.raises(OSError, match="disque plein") as caught:
        index_corpus(corpus, index, batch_size=2)
    assert any("cancelling the index writer failed too" in note for note in getattr(caught.value, "__notes__", []))


def test_a_garbled_table_of_contents_is_rebuilt_and_says_why(workspace, caplog) -> None:
    corpus, index = workspace
    (corpus / "a.txt").write_text("Texte sur la filière automobile à Sochaux.", encoding="utf-8")
    index_corpus(corpus, index)
    live = store.live_dir(index)
    for toc in live.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x80\x04garbled")
    with caplog.at_level("WARNING", logger="archive.indexer.pipeline"):
        assert needs_rebuild(index)
    assert any("reconstruit depuis le corpus" in r.getMessage() for r in caplog.records)  # not swallowed
    report = index_corpus(corpus, index)
    assert report.rebuilt and search_ids(index, "Sochaux")
