"""Dossiers (library and command line): real lab database, real index; a renamed file stays in its
dossier, a deleted one is shown as « retiré de l'archive »; exports as CSV, RIS and ZIP."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from archive_testing import cli, ner_off

from archive import dossiers
from archive.engine import open_engine
from archive.lab import LabDB, LabError
from archive.models import SearchRequest
from conftest import SEEDS
from indexer.pipeline import index_corpus


@pytest.fixture
def setup(tmp_path: Path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert not index_corpus(corpus, index).failed
    engine = open_engine(index)
    hits = engine.search(SearchRequest("", limit=10, with_snippets=False, sort="date")).hits
    yield corpus, index, engine, LabDB(tmp_path / "lab.sqlite"), hits
    engine.close()


def test_add_note_reorder_remove(setup) -> None:
    _, _, _, lab, hits = setup
    a, b, c = hits[:3]
    assert dossiers.add(lab, "Chapitre 3", a.id, a.title, "à citer p. 12")
    assert dossiers.add(lab, "Chapitre 3", b.id, b.title)
    assert dossiers.add(lab, "Chapitre 3", c.id, c.title)
    assert not dossiers.add(lab, "chapitre 3", a.id, a.title)  # same dossier (case), already there
    dossiers.move(lab, "Chapitre 3", c.id, 1)
    dossiers.set_note(lab, "Chapitre 3", b.id, "contredit le premier")
    d = dossiers.get(lab, "Chapitre 3")
    assert [i.doc_id for i in d.items] == [c.id, a.id, b.id] and [i.position for i in d.items] == [1, 2, 3]
    assert {i.doc_id: i.note for i in d.items}[b.id] == "contredit le premier"
    assert dossiers.remove(lab, "Chapitre 3", a.id) and not dossiers.remove(lab, "Chapitre 3", a.id)
    assert dossiers.names(lab) == [("Chapitre 3", 2)]
    with pytest.raises(LabError, match="pas dans le dossier"):
        dossiers.move(lab, "Chapitre 3", a.id, 1)
    with pytest.raises(LabError, match="déjà"):
        dossiers.create(lab, "CHAPITRE 3")


def test_renamed_file_stays_and_deleted_file_is_shown_as_removed(setup) -> None:
    corpus, index, engine, lab, hits = setup
    kept, gone = hits[0], hits[1]
    dossiers.add(lab, "Vencorex", kept.id, kept.title, "note 1")
    dossiers.add(lab, "Vencorex", gone.id, gone.title, "note 2")
    (corpus / kept.path).rename(corpus / ("renomme-" + Path(kept.path).name))
    (corpus / gone.path).unlink()
    with ner_off():
        index_corpus(corpus, index)
    rows = dossiers.resolved(dossiers.get(lab, "Vencorex"), engine)
    assert rows[0][1] is not None and rows[0][1].path.startswith("renomme-")
    assert rows[1][1] is None
    inventory = list(csv.reader(io.StringIO(dossiers.inventory_csv(rows).decode("utf-8-sig"))))
    assert inventory[0] == list(dossiers.INVENTORY)
    assert inventory[2][2] == gone.title and inventory[2][-1] == "retiré de l'archive" and inventory[2][-2] == "note 2"
    markdown = dossiers.inventory_markdown(dossiers.get(lab, "Vencorex"), rows)
    assert "retiré de l'archive" in markdown and "> note 1" in markdown


def test_zip_holds_originals_and_inventory(setup) -> None:
    corpus, _, engine, lab, hits = setup
    for hit in hits[:2]:
        dossiers.add(lab, "Export", hit.id, hit.title, f"note {hit.id}")
    rows = dossiers.resolved(dossiers.get(lab, "Export"), engine)
    data = dossiers.to_zip(dossiers.get(lab, "Export"), rows, corpus, ris=lambda records: b"TY  - GEN\nER  - \n")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert {"inventaire.csv", "inventaire.md", "references.ris"} <= set(names)
        originals = sorted(n for n in names if n.startswith("documents/"))
        assert len(originals) == 2
        first = z.read(originals[0])
    assert first == (corpus / hits[0].path).read_bytes()


def test_cli_dossier_commands(setup, tmp_path: Path) -> None:
    corpus, index, _, _, hits = setup
    lab = tmp_path / "cli-lab.sqlite"
    common = ["--index", str(index), "--corpus", str(corpus), "--lab", str(lab)]
    done = cli("dossier", "add", "Chapitre 3", hits[0].id, "--note", "à citer", "--json", *common)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"dossier": "Chapitre 3", "id": hits[0].id, "added": True}
    assert (
        cli("dossier", "add", "Chapitre 3", hits[1].id, "--description", "Sources du chapitre 3", *common).returncode
        == 0
    )
    missing = cli("dossier", "add", "Chapitre 3", "0000000000000000", *common)
    assert missing.returncode == 1 and "aucun document" in missing.stderr
    listed = json.loads(cli("dossier", "list", "Chapitre 3", "--json", *common).stdout)
    assert [d["id"] for d in listed["documents"]] == [hits[0].id, hits[1].id]
    assert listed["documents"][0]["note"] == "à citer"
    assert listed["description"] == "Sources du chapitre 3"
    assert json.loads(cli("dossier", "list", "--json", *common).stdout) == [{"name": "Chapitre 3", "documents": 2}]
    ris = cli("dossier", "export", "Chapitre 3", "--format", "ris", *common)
    assert ris.returncode == 0 and ris.stdout.count("ER  -") == 2
    out = tmp_path / "d.zip"
    assert cli("dossier", "export", "Chapitre 3", "--format", "zip", "-o", str(out), *common).returncode == 0
    assert "inventaire.md" in zipfile.ZipFile(out).namelist()
    # The note goes with its reference to Zotero (N1), in the RIS export and in the ZIP's.
    assert "N1  - Note du dossier : à citer" in ris.stdout
    assert "N1  - Note du dossier : à citer" in zipfile.ZipFile(out).read("references.ris").decode("utf-8")
    no_file = cli("dossier", "export", "Chapitre 3", "--format", "zip", *common)
    assert no_file.returncode == 2 and "-o" in no_file.stderr
    assert cli("dossier", "remove", "Chapitre 3", hits[0].id, *common).returncode == 0
    assert cli("dossier", "remove", "Chapitre 3", hits[0].id, *common).returncode == 1
