"""Relevance of search on held-out graded sets: the archive beside Tantivy and SQLite FTS5.

    python benchmarks/bench_relevance.py                 # both halves, every system
    python benchmarks/bench_relevance.py --half test     # one half
    python benchmarks/bench_relevance.py --json          # figures as JSON
    python benchmarks/bench_relevance.py --runs dev      # per-query rankings of the dev half

The sets live in tests/data/eval/<set>/ (docs/ in the formats they arrived in,
queries.yaml with graded judgements: 2 highly relevant, 1 partly, unlisted 0).
dev1 and dev2 form the dev half that ranking may be tuned on; test1 and test2 the
test half, frozen before tuning and only reported. Each set is its own collection:
a query is judged against the documents of its set.

Every system sees the same text: the archive indexes the files with its own indexer,
and its stored titles and texts are what Tantivy and FTS5 index. Peers, in one run:
- Tantivy with a stock French chain: simple tokenizer, lowercase, ASCII folding, French
  stop words, Snowball French stemmer, BM25, the typed words joined by OR, title and
  body searched without boosts;
- SQLite FTS5 (unicode61, remove_diacritics 2), words joined by OR, ranked by bm25().

Measures: nDCG@10 (gain 2^grade − 1), MRR (first document graded ≥ 1) and P@5
(share of the top 5 graded ≥ 1), averaged over queries, overall and per query kind.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.engine import open_engine  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from indexer.pipeline import index_corpus  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval"
HALVES = {"dev": ("dev1", "dev2"), "test": ("test1", "test2")}
SYSTEMS = ("archive", "tantivy", "fts5")
DEPTH = 10

Ranker = Callable[[str], list[str]]  # query → file names, best first


@dataclass
class Query:
    set_name: str
    id: str
    text: str
    kind: str
    judgements: dict[str, int]


@dataclass
class Doc:
    name: str
    title: str
    text: str


# -- loading -----------------------------------------------------------------------


def load_queries(set_name: str) -> list[Query]:
    data = yaml.safe_load((EVAL / set_name / "queries.yaml").read_text(encoding="utf-8")) or []
    return [
        Query(set_name, str(q["id"]), str(q["query"]), str(q.get("kind", "")), dict(q.get("judgements") or {}))
        for q in data
    ]


def available_sets(half: str) -> list[str]:
    return [s for s in HALVES[half] if (EVAL / s / "queries.yaml").exists()]


# -- systems -----------------------------------------------------------------------


class ArchiveSystem:
    """The archive: its own indexer on the set's files, its own search."""

    def __init__(self, docs_dir: Path, workdir: Path) -> None:
        report = index_corpus(docs_dir, workdir / "index")
        self.failed = [f"{f}" for f in report.failed]
        self.engine = open_engine(workdir / "index")

    def documents(self) -> list[Doc]:
        hits = self.engine.search(SearchRequest(query="", limit=100_000, with_facets=False, with_snippets=False)).hits
        out = []
        for hit in hits:
            record = self.engine.document(hit.id)
            if record is not None:
                out.append(Doc(PurePosixPath(record.path).name, record.title, record.text))
        return out

    def rank(self, query: str) -> list[str]:
        request = SearchRequest(query=query, limit=DEPTH, with_facets=False, with_snippets=False)
        result = self.engine.search(request)
        return [PurePosixPath(h.path).name for h in result.hits]

    def close(self) -> None:
        self.engine.close()


class TantivySystem:
    """Tantivy with its stock French chain, words joined by OR."""

    def __init__(self, docs: list[Doc], workdir: Path) -> None:
        import tantivy

        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("french"))
            .filter(tantivy.Filter.stemmer("french"))
            .build()
        )
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("name", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=False, tokenizer_name="fr")
        builder.add_text_field("body", stored=False, tokenizer_name="fr")
        path = workdir / "tantivy"
        path.mkdir()
        self.index = tantivy.Index(builder.build(), path=str(path))
        self.index.register_tokenizer("fr", analyzer)
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for doc in docs:
            writer.add_document(tantivy.Document(name=doc.name, title=doc.title, body=doc.text))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def rank(self, query: str) -> list[str]:
        try:
            parsed = self.index.parse_query(query, ["title", "body"])
        except ValueError:
            parsed, _errors = self.index.parse_query_lenient(query, ["title", "body"])
        searcher = self.index.searcher()
        hits = searcher.search(parsed, DEPTH).hits
        return [searcher.doc(address)["name"][0] for _score, address in hits]


class Fts5System:
    """SQLite FTS5, the floor: unicode61 without diacritics, words joined by OR, bm25()."""

    def __init__(self, docs: list[Doc]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE d USING fts5(name UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')"
        )
        self.db.executemany("INSERT INTO d VALUES (?, ?, ?)", [(d.name, d.title, d.text) for d in docs])

    def rank(self, query: str) -> list[str]:
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute("SELECT name FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT ?", (match, DEPTH))
        return [r[0] for r in rows]


# -- measures ----------------------------------------------------------------------


def ndcg(ranked: list[str], judgements: dict[str, int], k: int = DEPTH) -> float:
    gains = [2 ** judgements.get(name, 0) - 1 for name in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in judgements.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def reciprocal_rank(ranked: list[str], judgements: dict[str, int]) -> float:
    for i, name in enumerate(ranked):
        if judgements.get(name, 0) >= 1:
            return 1.0 / (i + 1)
    return 0.0


def precision_at_5(ranked: list[str], judgements: dict[str, int]) -> float:
    return sum(1 for name in ranked[:5] if judgements.get(name, 0) >= 1) / 5


def measure(ranked: list[str], judgements: dict[str, int]) -> dict[str, float]:
    return {
        "ndcg10": ndcg(ranked, judgements),
        "mrr": reciprocal_rank(ranked, judgements),
        "p5": precision_at_5(ranked, judgements),
    }


def average(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {"ndcg10": 0.0, "mrr": 0.0, "p5": 0.0, "queries": 0}
    out = {key: sum(r[key] for r in rows) / len(rows) for key in ("ndcg10", "mrr", "p5")}
    out["queries"] = len(rows)
    return out


# -- running -----------------------------------------------------------------------


def run_set(set_name: str, systems: tuple[str, ...] = SYSTEMS) -> dict[str, list[dict]]:
    """{system: [per-query rows with the ranking and the measures]} for one set."""
    queries = load_queries(set_name)
    out: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix=f"relevance-{set_name}-") as tmp:
        work = Path(tmp)
        archive = ArchiveSystem(EVAL / set_name / "docs", work)
        try:
            docs = archive.documents()
            rankers: dict[str, Ranker] = {"archive": archive.rank}
            if "tantivy" in systems:
                rankers["tantivy"] = TantivySystem(docs, work).rank
            if "fts5" in systems:
                rankers["fts5"] = Fts5System(docs).rank
            for system in systems:
                rows = []
                for q in queries:
                    ranked = rankers[system](q.text)
                    rows.append(
                        {"set": set_name, "id": q.id, "query": q.text, "kind": q.kind, "ranked": ranked}
                        | measure(ranked, q.judgements)
                    )
                out[system] = rows
        finally:
            archive.close()
    return out


def evaluate(half: str, systems: tuple[str, ...] = SYSTEMS) -> dict[str, dict]:
    """Per system: overall figures, figures per query kind, and the per-query rows."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for set_name in available_sets(half):
        for system, set_rows in run_set(set_name, systems).items():
            rows[system] += set_rows
    result = {}
    for system in systems:
        by_kind: dict[str, list[dict]] = defaultdict(list)
        for row in rows[system]:
            by_kind[row["kind"]].append(row)
        result[system] = {
            "overall": average(rows[system]),
            "kinds": {kind: average(r) for kind, r in sorted(by_kind.items())},
            "rows": rows[system],
        }
    return result


def _table(half: str, result: dict[str, dict]) -> str:
    systems = list(result)
    sets = ", ".join(available_sets(half))
    lines = [f"## {half} half ({sets})", "", "| system | nDCG@10 | MRR | P@5 | queries |", "|---|---|---|---|---|"]
    for system in systems:
        o = result[system]["overall"]
        lines.append(f"| {system} | {o['ndcg10']:.3f} | {o['mrr']:.3f} | {o['p5']:.3f} | {o['queries']} |")
    lines += ["", "nDCG@10 per query kind:", "", "| kind | n | " + " | ".join(systems) + " |"]
    lines.append("|---|---|" + "---|" * len(systems))
    for kind, figures in result[systems[0]]["kinds"].items():
        cells = " | ".join(f"{result[s]['kinds'][kind]['ndcg10']:.3f}" for s in systems)
        lines.append(f"| {kind} | {figures['queries']} | {cells} |")
    return "\n".join(lines)


def _runs(result: dict[str, dict]) -> str:
    lines = []
    systems = list(result)
    for i, row in enumerate(result[systems[0]]["rows"]):
        scores = "  ".join(f"{s} {result[s]['rows'][i]['ndcg10']:.2f}" for s in systems)
        lines.append(f"{row['id']} [{row['kind']}] {row['query']!r}: {scores}")
        for s in systems:
            lines.append(f"    {s:8} {result[s]['rows'][i]['ranked'][:5]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=sorted(HALVES), action="append")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", choices=["dev"], help="print per-query rankings (dev half only)")
    args = parser.parse_args()
    systems = tuple(s for s in args.systems.split(",") if s in SYSTEMS)
    halves = args.half or ["dev", "test"]
    results = {half: evaluate(half, systems) for half in halves}
    if args.json:
        slim = {
            h: {s: {k: v for k, v in r.items() if k != "rows"} for s, r in res.items()} for h, res in results.items()
        }
        print(json.dumps(slim, indent=2, ensure_ascii=False))
        return
    for half, result in results.items():
        print(_table(half, result))
        print()
    if args.runs == "dev" and "dev" in results:
        print(_runs(results["dev"]))


if __name__ == "__main__":
    main()
