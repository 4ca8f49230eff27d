"""Saved searches, « N nouveaux » per browser and Atom feeds: a real lab database (SQLite), a real
index built by the indexer, feeds parsed with feedparser, the real watcher and the real CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from archive_testing import cli, ner_off, wait_for

from archive.engine import open_engine
from archive.lab import MIGRATIONS, SCHEMA_VERSION, LabDB, LabError, lab_path, migrate
from archive.models import SearchRequest
from archive.veille import FeedPublisher, atom_feed, describe, feed_file_name, publish, refresh, search_link
from conftest import SEEDS
from indexer.pipeline import index_corpus
from indexer.watch import Watcher

NEW_TEXT = (
    "Communiqué de la CGT, 12 mai 2024.\n\nLa CGT demande un plan pour la sidérurgie à Dunkerque : "
    "les hauts-fourneaux doivent être décarbonés sans perte d'emplois industriels.\n"
)
OTHER_TEXT = "Note sur la filière du verre creux, 3 juin 2023.\n\nLe verre creux exporte beaucoup.\n"


@pytest.fixture
def archive_dir(tmp_path: Path):
    """A writable copy of the seeds, indexed (NER off), with its lab database beside the index."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        report = index_corpus(corpus, index)
    assert not report.failed
    engine = open_engine(index)
    yield corpus, index, engine, LabDB(lab_path(None, index))
    engine.close()


def add_file(corpus: Path, index: Path, name: str, text: str) -> str:
    (corpus / name).write_text(text, encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
    engine = open_engine(index)
    try:
        hits = engine.search(SearchRequest(query="", limit=100, with_snippets=False)).hits
        return next(h.id for h in hits if h.path == name)
    finally:
        engine.close()


# -- the database ------------------------------------------------------------------------


def test_lab_db_lives_beside_the_index_unless_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_LAB_DB", raising=False)
    assert lab_path(None, tmp_path / ".archive" / "index") == (tmp_path / ".archive" / "lab.sqlite").absolute()
    monkeypatch.setenv("ARCHIVE_LAB_DB", str(tmp_path / "ailleurs.sqlite"))
    assert lab_path(None, tmp_path / ".archive" / "index") == tmp_path / "ailleurs.sqlite"


def test_migration_from_version_1_keeps_saved_searches(tmp_path: Path) -> None:
    path = tmp_path / "lab.sqlite"
    conn = sqlite3.connect(path)
    assert migrate(conn, upto=1) == 1
    conn.execute(
        "INSERT INTO saved_search(name, query, filters, created_at, refreshed_generation)"
        " VALUES ('Sidérurgie', 'acier', '{\"actor\": [\"CGT\"]}', '2026-01-01T00:00:00+00:00', 'g1')"
    )
    conn.execute("INSERT INTO saved_match VALUES (1, 'abc', '2026-01-02T00:00:00+00:00', 0, NULL)")
    conn.commit()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "dossier" not in tables
    conn.close()

    lab = LabDB(path)
    assert lab.version() == SCHEMA_VERSION == len(MIGRATIONS)
    [search] = lab.searches()
    assert (search.name, search.query, search.filters) == ("Sidérurgie", "acier", {"actor": ["CGT"]})
    assert search.all_of == [] and search.request().all_of == []  # OR, as every search was before
    assert lab.new_count(search.id, None) == 1
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"dossier", "dossier_item"} <= tables
    LabDB(path)  # opening again migrates nothing and loses nothing
    assert [s.name for s in LabDB(path).searches()] == ["Sidérurgie"]


def test_database_from_a_newer_program_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "lab.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE futur (x)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = path.read_bytes()
    with pytest.raises(LabError, match="plus récente"):
        LabDB(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_gives_a_french_error(tmp_path: Path) -> None:
    path = tmp_path / "lab.sqlite"
    path.write_bytes(b"ceci n'est pas une base" * 100)
    with pytest.raises(LabError, match="illisible"):
        LabDB(path)


def test_names_are_checked(tmp_path: Path) -> None:
    lab = LabDB(tmp_path / "lab.sqlite")
    with pytest.raises(LabError, match="Donnez un nom"):
        lab.add_search("   ", "acier")
    with pytest.raises(LabError, match="trop long"):
        lab.add_search("x" * 101, "acier")
    lab.add_search("  Acier   et fer ", "acier")
    with pytest.raises(LabError, match="déjà"):
        lab.add_search("acier ET fer", "fer")  # same name, other case and spacing
    assert [s.name for s in lab.searches()] == ["Acier et fer"]
    assert lab.remove_search("Acier et fer") and not lab.searches()


# -- history and « N nouveaux » ------------------------------------------------------------


def test_new_documents_are_counted_per_browser(archive_dir) -> None:
    corpus, index, engine, lab = archive_dir
    cgt = lab.add_search("CGT", "", {"actor": ["CGT"]})
    verre = lab.add_search("Verre", "verre")
    refresh(lab, engine, cgt)
    refresh(lab, engine, verre)
    baseline = lab.match_count(cgt.id)
    assert baseline == engine.search(SearchRequest(filters={"actor": ["CGT"]})).total > 0
    assert lab.new_count(cgt.id, "navigateur-a") == 0  # what was there when saved is not « new »

    new_id = add_file(corpus, index, "cgt-dunkerque.txt", NEW_TEXT)
    assert refresh(lab, engine, cgt) == 1
    assert refresh(lab, engine, verre) == 0
    assert refresh(lab, engine, cgt) == 0  # same index generation: nothing to do
    assert lab.new_count(cgt.id, "navigateur-a") == 1
    assert lab.new_count(cgt.id, "navigateur-b") == 1
    lab.mark_opened(cgt.id, "navigateur-a")
    assert lab.new_count(cgt.id, "navigateur-a") == 0
    assert lab.new_count(cgt.id, "navigateur-b") == 1
    assert lab.newest(cgt.id)[0].doc_id == new_id


def test_saved_searches_survive_an_index_rebuild(archive_dir) -> None:
    corpus, index, engine, lab = archive_dir
    search = lab.add_search("Industrie", "industrie", sort="-date")
    refresh(lab, engine, search)
    count = lab.match_count(search.id)
    with ner_off():
        index_corpus(corpus, index, rebuild=True)
    assert lab_path(None, index).exists()
    [again] = LabDB(lab_path(None, index)).searches()
    assert (again.name, again.query, again.sort) == ("Industrie", "industrie", "-date")
    assert refresh(lab, engine, again) == 0  # the same documents under the same ids: none is new
    assert lab.match_count(again.id) == count


def test_a_deleted_document_leaves_the_feed(archive_dir) -> None:
    corpus, index, engine, lab = archive_dir
    search = lab.add_search("Sidérurgie", "hauts-fourneaux")
    refresh(lab, engine, search)
    new_id = add_file(corpus, index, "cgt-dunkerque.txt", NEW_TEXT)
    assert new_id not in {e.doc_id for e in lab.newest(search.id)}
    refresh(lab, engine, search)
    assert new_id in {e.doc_id for e in lab.newest(search.id)}
    (corpus / "cgt-dunkerque.txt").unlink()
    with ner_off():
        index_corpus(corpus, index)
    refresh(lab, engine, search)
    assert new_id not in {e.doc_id for e in lab.newest(search.id)}
    assert lab.new_count(search.id, None) == 0
    ids = [e.id for e in feedparser.parse(atom_feed(lab, engine, search)).entries]
    assert not any(new_id in i for i in ids)


# -- feeds -------------------------------------------------------------------------------------


def test_feed_is_valid_atom_with_newest_first(archive_dir) -> None:
    corpus, index, engine, lab = archive_dir
    search = lab.add_search("CGT", "", {"actor": ["CGT"]})
    refresh(lab, engine, search)
    first = add_file(corpus, index, "cgt-dunkerque.txt", NEW_TEXT)
    refresh(lab, engine, search)
    second = add_file(corpus, index, "cgt-verre.txt", "Tract de la CGT, 2 février 2025.\n\nLa CGT soutient le verre.\n")
    feed = feedparser.parse(atom_feed(lab, engine, search, url="https://archive.example.org/"))
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Veille : CGT"
    assert feed.feed.language == "fr"
    entries = feed.entries
    assert len(entries) == lab.match_count(search.id) == engine.search(SearchRequest(filters={"actor": ["CGT"]})).total
    assert second in entries[0].link and first in entries[1].link
    assert entries[0].link.startswith("https://archive.example.org/?vue=document&doc=")
    assert entries[0].title == engine.document(second).title
    assert "CGT" in {t.term for t in entries[0].tags}
    assert all(e.updated_parsed and e.id and e.summary for e in entries)
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == f"https://archive.example.org/app/static/feeds/{feed_file_name(search)}"


def test_feed_holds_at_most_fifty_documents(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for i in range(55):
        (corpus / f"note-{i:02d}.txt").write_text(f"Note {i} sur la forge, {i % 28 + 1} mars 2022.\n", encoding="utf-8")
    with ner_off():
        index_corpus(corpus, index)
    engine = open_engine(index)
    lab = LabDB(tmp_path / "lab.sqlite")
    search = lab.add_search("Forge", "forge")
    feed = feedparser.parse(atom_feed(lab, engine, search))
    engine.close()
    assert lab.match_count(search.id) == 55
    assert len(feed.entries) == 50


def test_publish_writes_one_file_per_search_and_drops_removed_ones(archive_dir, tmp_path: Path) -> None:
    _, _, engine, lab = archive_dir
    folder = tmp_path / "feeds"
    lab.add_search("Énergie & climat", "énergie")
    lab.add_search("Verre", "verre")
    written = publish(lab, engine, folder)
    assert sorted(p.name for p in written) == sorted(p.name for p in folder.glob("*.xml"))
    assert {p.name.split("-", 1)[1] for p in written} == {"energie-climat.xml", "verre.xml"}
    lab.remove_search("Verre")
    publish(lab, engine, folder)
    assert [p.name.split("-", 1)[1] for p in folder.glob("*.xml")] == ["energie-climat.xml"]


def test_watcher_rewrites_feeds_after_a_dropped_file(archive_dir, tmp_path: Path) -> None:
    corpus, index, engine, lab = archive_dir
    cgt = lab.add_search("CGT", "", {"actor": ["CGT"]})
    verre = lab.add_search("Verre", "verre creux")
    folder = tmp_path / "feeds"
    publisher = FeedPublisher(index, lab.path, folder)
    publisher()
    before = {p.name: feedparser.parse(p.read_bytes()) for p in folder.glob("*.xml")}
    assert len(before[feed_file_name(verre)].entries) == 0
    with ner_off(), Watcher(corpus, index, settle=0.3, after_batch=publisher, keep_warm=None) as watcher:
        assert watcher.wait_idle(60)
        (corpus / "cgt-dunkerque.txt").write_text(NEW_TEXT, encoding="utf-8")

        def in_feed() -> bool:
            feed = feedparser.parse((folder / feed_file_name(cgt)).read_bytes())
            return any("Dunkerque" in e.summary for e in feed.entries)

        assert wait_for(in_feed, 60), watcher.status
    publisher.close()
    cgt_feed = feedparser.parse((folder / feed_file_name(cgt)).read_bytes())
    assert "Dunkerque" in cgt_feed.entries[0].summary  # the newest arrival leads
    verre_feed = feedparser.parse((folder / feed_file_name(verre)).read_bytes())
    assert not any("Dunkerque" in e.summary for e in verre_feed.entries)
    assert lab.new_count(cgt.id, "un-navigateur") == 1


# -- command line --------------------------------------------------------------------------------


def test_cli_saved_searches_and_feed(archive_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index, engine, _ = archive_dir
    lab = tmp_path / "mon-labo.sqlite"
    feeds = tmp_path / "feeds"
    monkeypatch.setenv("ARCHIVE_FEEDS_DIR", str(feeds))
    common = ["--index", str(index), "--lab", str(lab)]
    done = cli("saved", "add", "Sidérurgie CGT", "hauts-fourneaux", "--actor", "CGT", "--json", *common)
    assert done.returncode == 0, done.stderr
    added = json.loads(done.stdout)
    assert added["name"] == "Sidérurgie CGT" and added["filters"] == {"actor": ["CGT"]}
    # Its feed file is there at once: the app's « flux » link must not answer 404 until the index changes.
    [feed_file] = feeds.glob("*.xml")
    assert feedparser.parse(feed_file.read_bytes()).feed.title == "Veille : Sidérurgie CGT"
    assert added["total"] == engine.search(SearchRequest("hauts-fourneaux", filters={"actor": ["CGT"]})).total

    again = cli("saved", "add", "sidérurgie cgt", "acier", *common)
    assert again.returncode == 1 and "déjà" in again.stderr

    add_file(corpus, index, "cgt-dunkerque.txt", NEW_TEXT)
    listed = cli("saved", "list", "--json", *common)
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert row["name"] == "Sidérurgie CGT" and row["new_since_creation"] == 1
    assert row["documents"] == added["total"] + 1

    feed = cli("feed", "Sidérurgie CGT", *common)
    assert feed.returncode == 0, feed.stderr
    parsed = feedparser.parse(feed.stdout)
    assert not parsed.bozo and "Dunkerque" in parsed.entries[0].summary
    out = tmp_path / "flux.xml"
    assert cli("feed", "Sidérurgie CGT", "-o", str(out), *common).returncode == 0
    assert len(feedparser.parse(out.read_bytes()).entries) == len(parsed.entries)

    missing = cli("feed", "Inconnue", *common)
    assert missing.returncode == 1 and "aucune recherche enregistrée" in missing.stderr
    assert cli("saved", "remove", "Sidérurgie CGT", *common).returncode == 0
    assert not feed_file.exists()
    assert json.loads(cli("saved", "list", "--json", *common).stdout) == []
    assert cli("saved", "remove", "Sidérurgie CGT", *common).returncode == 1


def test_a_saved_name_and_query_that_start_with_a_dash_are_kept_as_typed(archive_dir, tmp_path: Path) -> None:
    """`archive saved add -usine -acier` saved « -usine » with the space the CLI put before it to keep
    argparse from reading it as an option; the query was right, the name was not."""
    _, index, engine, _ = archive_dir
    common = ["--index", str(index), "--lab", str(tmp_path / "labo.sqlite")]
    done = cli("saved", "add", "-usine", "-acier", "--json", *common)
    assert done.returncode == 0, done.stderr
    added = json.loads(done.stdout)
    assert added["name"] == "-usine" and added["query"] == "-acier"
    assert added["total"] == engine.search(SearchRequest("NOT acier")).total
    assert cli("saved", "remove", "-usine", *common).returncode == 0


def test_a_search_saved_with_all_at_once_keeps_it(archive_dir, tmp_path: Path) -> None:
    """« Toutes à la fois (ET) » was dropped when a search was saved: its « N nouveaux », its feed
    and its link back to the app counted documents holding one value or the other."""
    from ui.state import UrlState
    from ui.veille import url_state

    corpus, index, engine, lab = archive_dir
    actors = {"actor": ["CGT", "Renault"]}
    both = {h.id for h in engine.search(SearchRequest(filters=actors, all_of=["actor"], limit=50)).hits}
    either = {h.id for h in engine.search(SearchRequest(filters=actors, limit=50)).hits}
    assert both and both < either
    search = lab.add_search("CGT et Renault", "", actors, all_of=["actor", "theme", "nope"])
    assert search.all_of == ["actor"]  # only filtered facets the registry offers so
    [again] = lab.searches()
    assert again.all_of == ["actor"] and set(engine.matching_ids(again.request())) == both
    refresh(lab, engine, again, force=True)
    assert lab.new_count(again.id, None) == 0
    assert "acteur : CGT et Renault" in describe(again)
    reopened = UrlState.from_params(parse_qs(search_link(again)[1:]))
    assert reopened.tous == ("acteur",) and url_state(again).tous == ("acteur",)
    # The command line: `saved add --all-of`, listed with its all_of.
    common = ["--index", str(index), "--lab", str(tmp_path / "labo.sqlite")]
    added = cli(
        "saved", "add", "ET", "", "--actor", "CGT", "--actor", "Renault", "--all-of", "actor", "--json", *common
    )
    assert added.returncode == 0, added.stderr
    data = json.loads(added.stdout)
    assert data["all_of"] == ["actor"] and data["total"] == len(both)
    assert json.loads(cli("saved", "list", "--json", *common).stdout)[0]["documents"] == len(both)
