"""Versions of one text (archive/versions.py): grouped at indexing time by the real indexer, counted
once by searches, listed on a document's page, in the command line and the HTTP API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from api_server import running_server
from archive_testing import ner_off
from versions_corpus import BOILERPLATE, RELEASE, REPORT, write_corpus

from archive import store, versions
from archive.engine import SearchEngine, open_engine
from archive.models import SearchRequest
from conftest import ROOT, SEEDS
from indexer.pipeline import index_corpus


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    """The seeds plus a press release as PDF and as a web page, two versions of a report, and two
    tracts ending with the same union paragraph, indexed by the real indexer."""
    base = tmp_path_factory.mktemp("versions")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        files = write_corpus(corpus)
        report = index_corpus(corpus, index, jobs=2)
    assert report.failed == [], report.failed
    engine = open_engine(index)
    ids = {role: _id_of(engine, path.name) for role, path in files.items()}
    yield base, engine, ids
    engine.close()


def _id_of(engine: SearchEngine, name: str) -> str:
    result = engine.search(SearchRequest(limit=100, with_snippets=False, group=False))
    return next(h.id for h in result.hits if h.path.endswith(name))


def _hits(engine: SearchEngine, **kw) -> dict[str, list[str]]:
    result = engine.search(SearchRequest(limit=100, with_snippets=False, **kw))
    return {h.id: h.versions for h in result.hits}


# -- signatures ---------------------------------------------------------------------


def test_shingles_ignore_case_accents_punctuation_and_line_breaks() -> None:
    typed = "L’État soutient l'usine — « hydrogène » !\nPuis la suite."
    retyped = "l'etat SOUTIENT l’usine hydrogene\n\npuis   la suite"
    assert versions.shingles(typed) == versions.shingles(retyped)
    assert versions.shingles(typed) != versions.shingles("l'état soutient la suite")


def test_a_short_text_has_no_signature_and_is_never_grouped() -> None:
    assert versions.signature("Réunion du comité de suivi jeudi à dix heures.") is None
    assert versions.signature(" ".join(RELEASE)) is not None


def test_band_keys_are_those_minhashlsh_chooses_for_the_threshold() -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=versions.THRESHOLD, num_perm=versions.NUM_PERM)
    sig = versions.signature(" ".join(REPORT))
    assert sig is not None and len(sig) == 4 * versions.NUM_PERM
    assert len(versions.band_keys(sig)) == lsh.b
    assert versions.similarity(sig, sig) == 1.0


def test_a_store_under_a_relative_path_opens_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `archive search --index .archive/index` failed: a relative path has no file URI.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "g-1").mkdir()
    sig = versions.signature(" ".join(REPORT))
    with versions.VersionStore(Path("g-1")) as kept:
        kept.apply({"a": sig, "b": sig, "c": None})
    with versions.VersionStore(Path("g-1"), readonly=True) as kept:
        assert kept.pairs() == [("a", "b", 1.0)] and kept.count() == 2


# -- grouping on the real index ---------------------------------------------------------


def test_pdf_and_web_page_of_one_release_are_versions(archive) -> None:
    _, engine, ids = archive
    ungrouped = _hits(engine, group=False)
    assert ungrouped[ids["release_pdf"]] == [ids["release_html"]]
    assert ungrouped[ids["release_html"]] == [ids["release_pdf"]]


def test_a_report_with_a_rewritten_paragraph_is_a_version_of_its_draft(archive) -> None:
    _, engine, ids = archive
    ungrouped = _hits(engine, group=False)
    assert ungrouped[ids["report_final"]] == [ids["report_draft"]]


def test_texts_sharing_only_a_boilerplate_paragraph_are_not_versions(archive) -> None:
    _, engine, ids = archive
    assert all(BOILERPLATE in (engine.document(ids[r]).text.replace("\n", " ")) for r in ("tract_a", "tract_b"))
    ungrouped = _hits(engine, group=False)
    assert ungrouped[ids["tract_a"]] == []
    assert ungrouped[ids["tract_b"]] == []


def test_a_search_counts_a_group_once_and_shows_its_best_dated_version(archive) -> None:
    _, engine, ids = archive
    grouped = engine.search(SearchRequest(query="hydrogène Belfort", with_snippets=False))
    every = engine.search(SearchRequest(query="hydrogène Belfort", with_snippets=False, group=False))
    assert every.total == grouped.total + 1 and grouped.grouped == 1 and every.grouped == 0
    shown = [h.id for h in grouped.hits]
    # The PDF is dated to the day (« Paris, le 12 mars 2021 »), its web page to the month only.
    assert ids["release_pdf"] in shown and ids["release_html"] not in shown
    assert {h.id for h in every.hits} >= {ids["release_pdf"], ids["release_html"]}


def test_facets_count_a_group_once(archive) -> None:
    _, engine, ids = archive
    grouped = engine.search(SearchRequest(query="hydrogène Belfort"))
    every = engine.search(SearchRequest(query="hydrogène Belfort", group=False))
    assert every.facets["year"]["2021"] == grouped.facets["year"]["2021"] + 1
    # The facet of a filter is counted without that filter: the group still counts once there.
    filtered = engine.search(SearchRequest(query="hydrogène Belfort", year_from=2021, year_to=2021))
    assert filtered.total == 1 and filtered.facets["year"]["2021"] == 1


def test_a_filter_that_excludes_the_best_dated_version_shows_another(archive, tmp_path: Path) -> None:
    _, engine, ids = archive
    # Both versions of the report are dated 2019 (May for the draft, June for the final text):
    # the earliest of equally precise dates is shown; a search only the final text matches shows it.
    shown = [h.id for h in engine.search(SearchRequest(query="automobile Lorraine", with_snippets=False)).hits]
    assert ids["report_draft"] in shown and ids["report_final"] not in shown
    final_only = engine.search(SearchRequest(query="Fensch", with_snippets=False))
    assert [h.id for h in final_only.hits] == [ids["report_final"]]
    assert final_only.hits[0].versions == [ids["report_draft"]]


def test_the_document_page_lists_the_other_versions(archive) -> None:
    _, engine, ids = archive
    listed = engine.versions(ids["release_pdf"])
    assert [v.id for v in listed] == [ids["release_html"]]
    assert listed[0].date == "2021-03" and listed[0].path.endswith(".html")
    assert 0.8 <= listed[0].similarity <= 1.0
    assert engine.versions(ids["tract_a"]) == []
    assert engine.versions("0" * 16) == []


def test_exports_follow_the_grouping(archive) -> None:
    _, engine, ids = archive
    grouped = [r.id for r in engine.records(SearchRequest(query="hydrogène Belfort"))]
    every = [r.id for r in engine.records(SearchRequest(query="hydrogène Belfort", group=False))]
    assert ids["release_html"] in every and ids["release_html"] not in grouped
    assert len(every) == len(grouped) + 1


# -- the store follows the corpus ---------------------------------------------------------


def test_versions_follow_files_added_and_removed(workspace) -> None:
    corpus, index = workspace
    with ner_off():
        files = write_corpus(corpus)
        index_corpus(corpus, index)
        engine = open_engine(index)
        try:
            html_id = _id_of(engine, files["release_html"].name)
            pdf_id = _id_of(engine, files["release_pdf"].name)
            moved = corpus / "ailleurs" / files["release_html"].name
            moved.parent.mkdir()
            # A deleted version leaves its group; a moved one keeps it.
            files["release_pdf"].rename(corpus / "communique.bak")
            index_corpus(corpus, index)
            assert _hits(engine)[html_id] == []
            files["release_html"].rename(moved)
            (corpus / "communique.bak").rename(files["release_pdf"])
            index_corpus(corpus, index)
            assert _hits(engine, group=False)[html_id] == [pdf_id]
            # A third copy, dropped later, joins the group.
            shutil.copy(corpus / files["report_final"].name, corpus / "copie.txt")
            with open(corpus / "copie.txt", "a", encoding="utf-8") as f:
                f.write("\n\nDocument transmis par courriel.")
            index_corpus(corpus, index)
            found = engine.search(SearchRequest(query="Fensch automobile", group=False, with_snippets=False))
            assert all(len(h.versions) == 2 for h in found.hits) and found.total == 2
        finally:
            engine.close()
    with versions.VersionStore(store.live_dir(index), readonly=True) as kept:
        assert kept.count() == 7  # the six texts of write_corpus and the copy, none twice


def test_a_rebuild_keeps_the_groups(workspace) -> None:
    corpus, index = workspace
    with ner_off():
        write_corpus(corpus)
        index_corpus(corpus, index)
        index_corpus(corpus, index, rebuild=True)
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(limit=50, with_snippets=False))
        assert result.total == 4 and result.grouped == 2
    finally:
        engine.close()


# -- command line and HTTP API ---------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive_cli", *args],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_NER": "0"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_search_hits_carry_versions_and_no_group_lists_them(archive) -> None:
    base, _, ids = archive
    where = ["--index", str(base / "index"), "--corpus", str(base / "corpus")]
    grouped = json.loads(_cli("search", "hydrogène Belfort", "--json", *where).stdout)
    every = json.loads(_cli("search", "hydrogène Belfort", "--json", "--no-group", *where).stdout)
    assert grouped["grouped"] == 1 and every["grouped"] == 0
    assert every["total"] == grouped["total"] + 1
    pdf = next(h for h in grouped["hits"] if h["id"] == ids["release_pdf"])
    assert pdf["versions"] == [ids["release_html"]]
    text = _cli("search", "hydrogène Belfort", *where).stdout
    assert f"autres versions : {ids['release_html']}" in text and "note : 1 autre(s) version(s)" in text


def test_cli_show_lists_the_versions(archive) -> None:
    base, _, ids = archive
    done = _cli("show", ids["report_draft"], "--json", "--index", str(base / "index"))
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["versions"]
    assert [v["id"] for v in listed] == [ids["report_final"]]
    assert listed[0]["title"] and listed[0]["date"] == "2019-06" and 0.5 <= listed[0]["similarity"] <= 1


def test_api_search_and_document_carry_versions(archive) -> None:
    base, engine, ids = archive
    with running_server(base / "index", base / "corpus") as url, httpx.Client(base_url=url, timeout=60) as client:
        grouped = client.get("/api/search", params={"q": "hydrogène Belfort"}).json()
        every = client.get("/api/search", params={"q": "hydrogène Belfort", "group": "false"}).json()
        document = client.get(f"/api/documents/{ids['release_html']}").json()
        bad = client.get("/api/search", params={"group": "peut-être"})
    assert every["total"] == grouped["total"] + 1 and grouped["grouped"] == 1
    assert [v["id"] for v in document["versions"]] == [ids["release_pdf"]]
    assert bad.status_code == 400 and "group" in bad.json()["message"]


def test_term_trends_count_a_group_once_like_the_search(archive) -> None:
    _, engine, _ = archive
    grouped = SearchRequest(query="hydrogène Belfort")
    every = SearchRequest(query="hydrogène Belfort", group=False)
    trend = engine.trend([grouped, every])
    year = trend.periods.index("2021")
    assert [s.counts[year] for s in trend.series] == [1, 2]
    assert trend.series[0].total == engine.search(grouped).total
    assert trend.series[1].total == engine.search(every).total == trend.series[0].total + 1


def test_trend_shares_are_of_the_periods_texts_versions_once(archive) -> None:
    _, engine, _ = archive
    grouped = engine.trend([SearchRequest()])
    every = engine.trend([SearchRequest(group=False)])
    year = grouped.periods.index("2021")
    assert every.totals[year] == grouped.totals[year] + 1  # the release's web page is not counted twice
    assert grouped.series[0].shares[year] == 1.0


def test_the_timeline_counts_a_group_once_like_the_search(archive) -> None:
    """Chronologie counted every version while the search beside it counted the group once."""
    _, engine, ids = archive
    grouped = SearchRequest(query="hydrogène Belfort", with_snippets=False)
    every = SearchRequest(query="hydrogène Belfort", with_snippets=False, group=False)
    for request in (grouped, every):
        line = engine.timeline(request)
        counted = sum(line.series["documents"]) + line.undated
        assert counted == engine.search(request).total, (line, request.group)
    hits, total = engine.period_hits(grouped, "2021")
    assert ids["release_pdf"] in [h.id for h in hits] and ids["release_html"] not in [h.id for h in hits]
    assert engine.period_hits(every, "2021")[1] == total + 1


def test_a_saved_search_counts_new_versions_of_a_known_text_once(archive) -> None:
    """« N nouveaux » of a saved search counts the texts it matches, each group of versions once."""
    _, engine, ids = archive
    grouped = engine.matching_ids(SearchRequest(query="hydrogène Belfort"))
    every = engine.matching_ids(SearchRequest(query="hydrogène Belfort", group=False))
    assert ids["release_pdf"] in grouped and ids["release_html"] not in grouped
    assert set(every) == set(grouped) | {ids["release_html"]}


def test_a_long_text_signs_in_batches_as_in_one_go() -> None:
    from datasketch import MinHash

    text = " ".join(f"mot{i}" for i in range(10_000))
    whole = MinHash(num_perm=versions.NUM_PERM, seed=versions.SEED, scheme="affine32")
    whole.update_batch(sorted(versions.shingles(text)))
    assert versions.signature(text) == whole.hashvalues.astype("<u4").tobytes()
