"""Search latency with all facet counts and highlights, against a plain SQLite FTS5 baseline.

    python benchmarks/bench_search.py --corpus /tmp/bc/c10k --index /tmp/bc/i10k [--rounds 5] [--build]

`--build` indexes the corpus first (archive's own pipeline, --jobs 2). Then:
opening (searcher + per-generation facet tables), p50/p95 over a fixed query
mix (each answer: all six facet counts and ten highlighted hits), browse-all
p95, resident memory of this (searching) process, index bytes per document and
relative to the extracted text. The same documents (read back from the index)
and the same queries then go through SQLite FTS5 (`unicode61 remove_diacritics
2`, facet counts by GROUP BY, snippets by snippet()) in the same run.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import store  # noqa: E402
from archive.engine import open_engine  # noqa: E402
from archive.models import FACETS, SearchRequest  # noqa: E402

FACET_COLUMNS = {
    "actor": "actors",
    "theme": "themes",
    "place": "places",
    "doc_type": "doc_type",
    "language": "language",
}


@dataclass
class Case:
    name: str
    kind: str  # word, phrase, prefix, filters, browse...
    query: str
    fts: str | None  # FTS5 MATCH expression; None = every document
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"

    def request(self) -> SearchRequest:
        return SearchRequest(
            query=self.query,
            year_from=self.year_from,
            year_to=self.year_to,
            filters=self.filters,
            sort=self.sort,
            limit=10,
        )


def query_mix(top: dict[str, list[str]]) -> list[Case]:
    """The fixed mix; facet values are the n-th most frequent of the index (deterministic)."""
    a0, a2 = top["actor"][0], top["actor"][2]
    t0, t1 = top["theme"][0], top["theme"][1]
    p0 = top["place"][0]
    d0 = top["doc_type"][0]
    return [
        Case("industrie", "word", "industrie", '"industrie"'),
        Case("emploi", "word", "emploi", '"emploi"'),
        Case("réindustrialisation", "word-accent", "réindustrialisation", '"réindustrialisation"'),
        Case("reindustrialisation", "word-noaccent", "reindustrialisation", '"reindustrialisation"'),
        Case("énergie", "word-accent", "énergie", '"énergie"'),
        Case("hydrogene", "word-noaccent", "hydrogene", '"hydrogene"'),
        Case("salariées", "word-accent", "salariées", '"salariées"'),
        Case("two words", "words", "transition écologique", '"transition" "écologique"'),
        Case("three words", "words", "usine fermeture salariés", '"usine" "fermeture" "salariés"'),
        Case("phrase", "phrase", '"plan social"', '"plan social"'),
        Case("phrase2", "phrase", '"économie circulaire"', '"économie circulaire"'),
        Case("prefix", "prefix", "relocalis*", "relocalis*"),
        Case("prefix2", "prefix", "décarbon*", "décarbon*"),
        Case("word+1 facet", "filters", "industrie", '"industrie"', {"theme": [t0]}),
        Case("word+2 facets", "filters", "emploi", '"emploi"', {"theme": [t1], "actor": [a0]}),
        Case(
            "word+3 facets", "filters", "production", '"production"', {"actor": [a2], "doc_type": [d0], "place": [p0]}
        ),
        Case("word+years", "years", "énergie", '"énergie"', year_from=2015, year_to=2019),
        Case("word+facet+years", "years", "investissement", '"investissement"', {"theme": [t0]}, 2020, 2024),
        Case("word sort date", "date-sort", "filière", '"filière"', sort="-date"),
        Case("browse-all", "browse", "", None),
        Case("browse-all sort date", "browse", "", None, sort="-date"),
        Case("browse-all+facet", "browse", "", None, {"actor": [a0]}),
        Case("browse-all+years", "browse", "", None, year_from=2018, year_to=2021),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_mb() -> tuple[float, float, float, float]:
    """(current, peak, anonymous, file-backed) resident memory of this process in MB.

    File-backed pages are the memory-mapped index files the searches touched (page cache)."""
    info = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            info[key] = int(value.split()[0]) / 1024
    return info.get("VmRSS", 0.0), info.get("VmHWM", 0.0), info.get("RssAnon", 0.0), info.get("RssFile", 0.0)


def summarize(times: dict[str, list[float]], cases: list[Case]) -> dict[str, float]:
    every = [t for ts in times.values() for t in ts]
    browse = [t for c in cases if c.kind == "browse" for t in times[c.name]]
    other = [t for c in cases if c.kind != "browse" for t in times[c.name]]
    return {
        "p50": percentile(other, 50),
        "p95": percentile(other, 95),
        "browse_p50": percentile(browse, 50),
        "browse_p95": percentile(browse, 95),
        "all_p95": percentile(every, 95),
        "max": max(every),
    }


# -- Whoosh (the archive) ---------------------------------------------------------------------


def bench_archive(index: Path, rounds: int) -> tuple[dict, list[Case], dict[str, list[float]]]:
    t0 = time.perf_counter()
    engine = open_engine(index)
    engine.generation()  # opens the searcher and builds the facet tables
    opened = time.perf_counter() - t0
    top = {f: list(engine.facet_values(f)) for f in ("actor", "theme", "place", "doc_type")}
    cases = query_mix(top)
    times: dict[str, list[float]] = {c.name: [] for c in cases}
    totals: dict[str, int] = {}
    for c in cases:  # warm-up round, not timed (first use of each code path)
        engine.search(c.request())
    for _ in range(rounds):
        for c in cases:
            started = time.perf_counter()
            result = engine.search(c.request())
            times[c.name].append((time.perf_counter() - started) * 1000)
            assert set(result.facets) == set(FACETS), result.facets.keys()
            assert len(result.hits) == min(10, result.total) or result.total > 0
            totals[c.name] = result.total
    rss, hwm, anon, filed = rss_mb()
    docs = engine.stats().documents
    live = store.live_dir(index)
    index_bytes = store.directory_bytes(live)
    engine.close()
    info = {"open_s": opened, "rss_mb": rss, "peak_rss_mb": hwm, "anon_mb": anon, "file_mb": filed}
    info.update(documents=docs, index_bytes=index_bytes)
    info["totals"] = totals
    return info, cases, times


# -- SQLite FTS5 baseline ---------------------------------------------------------------------


def build_fts(index: Path, db_path: Path) -> tuple[float, int]:
    """Copy the indexed documents (same text and metadata) into an FTS5 database."""
    from whoosh import index as windex

    started = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE meta(docid INTEGER PRIMARY KEY, id TEXT, path TEXT, title TEXT, date TEXT, year INT,
                          datekey INT, record TEXT);
        CREATE TABLE facet(docid INT, facet TEXT, value TEXT);
        CREATE TABLE info(text_bytes INT);
        """
    )
    text_bytes = 0
    ix = windex.open_dir(str(store.live_dir(index)))
    with ix.searcher() as s:
        for n, docnum in enumerate(s.reader().all_doc_ids(), start=1):
            fields = s.stored_fields(docnum)
            rec, text = fields["record"], fields.get("text", "")
            text_bytes += len(text.encode("utf-8"))
            con.execute("INSERT INTO fts(rowid, title, text) VALUES (?,?,?)", (n, rec["title"], text))
            date = rec.get("date") or ""
            key = int((date.replace("-", "") + "0000")[:8]) if date else 0
            con.execute(
                "INSERT INTO meta VALUES (?,?,?,?,?,?,?,?)",
                (n, rec["id"], rec["path"], rec["title"], date, rec.get("year"), key, json.dumps(rec)),
            )
            rows = [(n, "year", str(rec["year"]))] if rec.get("year") else []
            for facet, column in FACET_COLUMNS.items():
                values = rec.get(column) or []
                for v in [values] if isinstance(values, str) else values:
                    if v:
                        rows.append((n, facet, v))
            con.executemany("INSERT INTO facet VALUES (?,?,?)", rows)
    ix.close()
    con.executescript(
        """
        CREATE INDEX facet_fv ON facet(facet, value, docid);
        CREATE INDEX facet_d ON facet(docid, facet);
        CREATE INDEX meta_year ON meta(year);
        INSERT INTO fts(fts) VALUES('optimize');
        ANALYZE;
        """
    )
    con.execute("INSERT INTO info VALUES (?)", (text_bytes,))
    con.commit()
    con.close()
    return time.perf_counter() - started, text_bytes


def fts_search(con: sqlite3.Connection, c: Case) -> tuple[int, dict[str, dict[str, int]], list[tuple]]:
    """Same answer shape as the archive: total, six facet counts ignoring their own selection, 10 hits."""
    con.execute("DROP TABLE IF EXISTS temp.m")
    if c.fts is None:
        con.execute("CREATE TEMP TABLE m(docid INTEGER PRIMARY KEY)")
        con.execute("INSERT INTO m SELECT docid FROM meta")
    else:
        con.execute("CREATE TEMP TABLE m(docid INTEGER PRIMARY KEY)")
        con.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (c.fts,))
    conds: dict[str, tuple[str, list]] = {}
    for facet, values in c.filters.items():
        marks = ",".join("?" * len(values))
        conds[facet] = (f"docid IN (SELECT docid FROM facet WHERE facet=? AND value IN ({marks}))", [facet, *values])
    if c.year_from is not None or c.year_to is not None:
        conds["year"] = ("docid IN (SELECT docid FROM meta WHERE year BETWEEN ? AND ?)", [c.year_from, c.year_to])

    def where(exclude: str | None) -> tuple[str, list]:
        parts = [sql for f, (sql, _) in conds.items() if f != exclude]
        args = [a for f, (_, a) in conds.items() if f != exclude for a in a]
        return (" AND ".join(parts) or "1"), args

    def materialize(name: str, exclude: str | None) -> None:
        sql_w, args_w = where(exclude)
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")
        con.execute(f"CREATE TEMP TABLE {name}(docid INTEGER PRIMARY KEY)")
        con.execute(f"INSERT INTO {name} SELECT docid FROM m WHERE {sql_w}", args_w)

    materialize("f", None)  # the final set: matched and every selection
    total = con.execute("SELECT count(*) FROM f").fetchone()[0]
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        table = "f"
        if facet in conds:  # a facet's counts ignore its own selection
            materialize("fx", facet)
            table = "fx"
        rows = con.execute(
            f"SELECT value, count(*) FROM {table} JOIN facet USING (docid) WHERE facet=? "
            "GROUP BY value ORDER BY count(*) DESC",
            [facet],
        ).fetchall()
        facets[facet] = dict(rows)
    if c.fts is not None and c.sort == "relevance":
        # Top ten by bm25 first, snippets only for them (SQLite would otherwise build a snippet per match).
        ids = con.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid IN (SELECT docid FROM f) ORDER BY bm25(fts) LIMIT 10",
            [c.fts],
        ).fetchall()
    else:
        ids = con.execute(
            "SELECT meta.docid FROM meta JOIN f ON f.docid = meta.docid ORDER BY datekey = 0, datekey DESC LIMIT 10"
        ).fetchall()
    hits = []
    for (docid,) in ids:
        if c.fts is None:
            row = con.execute(
                "SELECT substr(text, 1, 240), meta.record FROM fts JOIN meta ON docid=fts.rowid WHERE fts.rowid=?",
                (docid,),
            ).fetchone()
        else:
            row = con.execute(
                "SELECT snippet(fts, 1, '<mark>', '</mark>', ' … ', 30), meta.record FROM fts "
                "JOIN meta ON docid=fts.rowid WHERE fts MATCH ? AND fts.rowid=?",
                (c.fts, docid),
            ).fetchone()
        hits.append((docid, *row))
    for hit in hits:
        json.loads(hit[-1])  # decode the record, as the archive builds its Hit objects
    return total, facets, hits


def bench_fts(db_path: Path, cases: list[Case], rounds: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    con = sqlite3.connect(db_path)
    times: dict[str, list[float]] = {c.name: [] for c in cases}
    totals: dict[str, int] = {}
    for c in cases:
        fts_search(con, c)
    for _ in range(rounds):
        for c in cases:
            started = time.perf_counter()
            total, _facets, _hits = fts_search(con, c)
            times[c.name].append((time.perf_counter() - started) * 1000)
            totals[c.name] = total
    con.close()
    return times, totals


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--build", action="store_true", help="index the corpus first (jobs 2)")
    ap.add_argument("--no-fts", action="store_true")
    ap.add_argument("--fts-db", type=Path, help="keep the FTS5 database here and reuse it if it exists")
    ap.add_argument("--per-query", action="store_true", help="print each query's median")
    args = ap.parse_args(argv)
    if args.build:
        from indexer.pipeline import index_corpus

        report = index_corpus(args.corpus, args.index, jobs=2, rebuild=True)
        print(f"built: {report.documents} documents in {report.seconds:.1f} s")
    info, cases, times = bench_archive(args.index, args.rounds)
    arch = summarize(times, cases)
    docs = info["documents"]
    print(f"documents: {docs}   open+facet tables: {info['open_s'] * 1000:.0f} ms")
    print(
        f"archive  p50 {arch['p50']:.1f} ms  p95 {arch['p95']:.1f} ms  browse p50 {arch['browse_p50']:.1f} "
        f"p95 {arch['browse_p95']:.1f} ms  max {arch['max']:.1f} ms"
    )
    print(
        f"searching process RSS {info['rss_mb']:.0f} MB (peak {info['peak_rss_mb']:.0f} MB): "
        f"anonymous {info['anon_mb']:.0f} MB, mapped index files {info['file_mb']:.0f} MB"
    )
    result = {"documents": docs, "archive": arch, "info": {k: v for k, v in info.items() if k != "totals"}}
    if not args.no_fts:
        with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
            db = args.fts_db or Path(tmp) / "fts.db"
            if db.exists():
                build_s = 0.0
                with sqlite3.connect(db) as con:
                    text_bytes = con.execute("SELECT text_bytes FROM info").fetchone()[0]
            else:
                build_s, text_bytes = build_fts(args.index, db)
            fts_times, fts_totals = bench_fts(db, cases, args.rounds)
            fts_db_bytes = db.stat().st_size
        fts = summarize(fts_times, cases)
        ratio = arch["all_p95"] / fts["all_p95"]
        print(
            f"fts5     p50 {fts['p50']:.1f} ms  p95 {fts['p95']:.1f} ms  browse p50 {fts['browse_p50']:.1f} "
            f"p95 {fts['browse_p95']:.1f} ms  (built in {build_s:.0f} s, {fts_db_bytes / docs / 1024:.1f} KiB/doc)"
        )
        print(f"archive/fts5 p95 ratio (all queries): {ratio:.2f}")
        print(
            f"index {info['index_bytes'] / docs / 1024:.1f} KiB/doc = {info['index_bytes'] / text_bytes:.2f}× "
            f"the extracted text ({text_bytes / docs / 1024:.1f} KiB/doc)"
        )
        result.update(fts=fts, ratio_p95=ratio, text_bytes=text_bytes, fts_db_bytes=fts_db_bytes)
        if args.per_query:
            for c in cases:
                print(
                    f"  {c.name:24s} archive {statistics.median(times[c.name]):7.1f} ms  "
                    f"fts5 {statistics.median(fts_times[c.name]):7.1f} ms  "
                    f"hits {info['totals'][c.name]:6d} / {fts_totals[c.name]:6d}"
                )
    elif args.per_query:
        for c in cases:
            print(f"  {c.name:24s} archive {statistics.median(times[c.name]):7.1f} ms  hits {info['totals'][c.name]}")
    print("JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
