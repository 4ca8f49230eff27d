"""Segment merging stays bounded: no merge beyond a size cap, few small segments left."""

from __future__ import annotations

import sys
from pathlib import Path

from whoosh import index as windex

from archive.engine import create_index, create_writer, open_engine
from archive.models import DocumentRecord, SearchRequest
from archive.whoosh import writer as whoosh_writer
from conftest import ROOT


def _record(i: int) -> DocumentRecord:
    return DocumentRecord(
        id=f"d{i}", title=f"Note {i}", date=None, year=None, actors=[], themes=[], places=[], doc_type="",
        language="fr", paths=[f"d{i}.txt"], pages=1, sha256=str(i), size=1, indexed_at="",
        text=f"usine numéro {i} : emploi et fermeture",
    )  # fmt: skip


def test_merges_stay_under_the_cap_and_small_segments_stay_few(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(whoosh_writer, "MERGED_DOCS_MAX", 40)
    monkeypatch.setattr(whoosh_writer, "SMALL_SEGMENTS_MAX", 4)
    generation = tmp_path / "g"
    generation.mkdir()
    create_index(generation)
    largest_seen = 0
    for batch in range(60):  # 60 commits of 3 documents
        writer = create_writer(generation)
        for i in range(batch * 3, batch * 3 + 3):
            writer.upsert(_record(i))
        writer.commit()
        ix = windex.open_dir(str(generation))
        sizes = [s.doc_count_all() for s in ix._segments()]
        ix.close()
        largest_seen = max(largest_seen, *sizes)
        assert max(sizes) <= 40
        assert len([s for s in sizes if s < 20]) <= 4, sizes
    assert largest_seen > 20, "merges happened"
    assert len(sizes) <= 180 // 20 + 4
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "CURRENT").write_text(generation.name)
    generation.rename(tmp_path / "root" / generation.name)
    engine = open_engine(tmp_path / "root", allow_outdated=True)
    assert engine.search(SearchRequest(query="usine")).total == 180
    engine.close()


def test_an_index_written_before_the_whoosh_package_move_still_opens(tmp_path: Path) -> None:
    """Whoosh pickles the schema with its classes' module path: indexes written before the move
    name `archive.schema.ValueField`; without an alias, opening them failed and forced a rebuild."""
    import pickle
    import subprocess

    from archive.whoosh.schema import build_schema

    written = pickle.dumps(build_schema(), protocol=2)
    assert b"carchive.whoosh.schema\nValueField\n" in written
    (tmp_path / "old.pickle").write_bytes(written.replace(b"carchive.whoosh.schema\n", b"carchive.schema\n"))
    # A fresh interpreter, as a new app process opening an old index: only what opening imports.
    code = (
        "import pickle, sys; from archive.whoosh.schema import build_schema; "
        "print(sorted(pickle.loads(open(sys.argv[1], 'rb').read()).names()) == sorted(build_schema().names()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "old.pickle")], capture_output=True, text=True, cwd=ROOT
    )
    assert out.stdout.strip() == "True", out.stderr


def test_an_incremental_commit_merges_small_segments_among_themselves() -> None:
    # A lab's 8 500-document segment and three of 500 from its build, then the watcher's batches.
    assert whoosh_writer.segments_to_merge([8500, 500, 500, 500, 8, 8, 8]) == []  # seven small: no merge
    picked = whoosh_writer.segments_to_merge([8500, 500, 500, 500, 8, 8, 8, 8])
    assert sorted(picked) == [4, 5, 6, 7]  # the four batches together, not the big segments
    # The 500s join once the smaller ones hold half of one; the 8 500 once they hold 4 250.
    assert sorted(whoosh_writer.segments_to_merge([8500, 500, 500, 500, 200, 60, 30, 30])) == [1, 2, 3, 4, 5, 6, 7]
    assert 0 in whoosh_writer.segments_to_merge([8500, 4000, 2000, 1000, 500, 250, 120, 8])  # a ladder cascades
    assert whoosh_writer.segments_to_merge([12_500] * 8) == []  # full segments are never merged


def test_watcher_batches_leave_the_large_segment_unwritten(tmp_path) -> None:
    generation = tmp_path / "g"
    generation.mkdir()
    create_index(generation)
    writer = whoosh_writer.WhooshWriter(generation, bulk=True)
    for i in range(300):
        writer.upsert(_record(i))
    writer.commit()
    ix = windex.open_dir(str(generation))
    (large,) = [s.segment_id() for s in ix._segments()]
    ix.close()
    for batch in range(20):  # twenty batches of two documents: merges happen, among them
        writer = create_writer(generation)
        writer.upsert(_record(1000 + 2 * batch))
        writer.upsert(_record(1001 + 2 * batch))
        writer.commit()
    ix = windex.open_dir(str(generation))
    segments = {s.segment_id(): s.doc_count_all() for s in ix._segments()}
    ix.close()
    assert segments.get(large) == 300 and len(segments) < 9 and sum(segments.values()) == 340
