"""Versions of one text: grouping precision and recall, and what the signatures cost at indexing.

    nice -n 15 python benchmarks/bench_versions.py [--out /tmp/bench-versions] [--jobs 2] [--sample 60]

1. Indexes the held-out documents (tests/data/eval/*/docs) with the HTML pages their PDFs were
   printed from (`sources/`, real versions in another format), with the real indexer.
2. From the indexed texts of a sample of documents (at least 150 words), writes versions of each:
   `edit` (about 3 % of the words changed, a sentence removed, another added), `header` (a web
   site's header and footer around it), `format` (a PDF of a text document, a DOCX of a PDF), and
   `boilerplate` (the text followed by a union's « about us » paragraph; pairs of those share the
   paragraph and nothing else, so they must not be grouped together). Indexes them incrementally.
3. Pairs of files: truth = the same original; predicted = the same group of versions
   (archive/versions.py). Prints precision, recall per kind of version, and the wrongly grouped pairs.
4. Times the signatures (datasketch MinHash over word shingles) and the store updates (band keys,
   candidates, pairs) over the same texts, against the indexing time.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from archive import store, versions  # noqa: E402
from archive.engine import open_engine  # noqa: E402
from archive.models import SearchRequest  # noqa: E402
from indexer.pipeline import index_corpus  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval"
HEADER = (
    "economie.gouv.fr — Accueil › Actualités › Communiqués de presse\n"
    "Publié le 3 décembre 2026 · Mis à jour le 4 décembre 2026 · Temps de lecture : 3 minutes\n\n"
)
FOOTER = (
    "\n\nPartager cet article : Facebook · X · LinkedIn · Courriel · Imprimer\n"
    "À lire aussi : Les chiffres clés de l'industrie · Le plan France 2030 en dix questions\n"
    "Mentions légales · Données personnelles · Accessibilité : partiellement conforme · Plan du site\n"
    "© République française — Ministère de l'Économie, des Finances et de la Souveraineté industrielle"
)
BOILERPLATE = (
    "À propos de la fédération : la fédération rassemble les syndicats des entreprises de la métallurgie, "
    "de la chimie, de l'énergie et des transports. Elle défend l'emploi industriel, les salaires, la "
    "formation et les conditions de travail, et siège dans les instances de dialogue social des branches. "
    "Contact presse : service de communication, 01 00 00 00 00. Pour adhérer, rendez-vous auprès de "
    "votre syndicat ou de l'union départementale la plus proche."
)
NEW_SENTENCE = "Cette version tient compte des remarques formulées lors de la dernière réunion du comité."


def copy_originals(corpus: Path) -> dict[str, str]:
    """Copy eval docs and the HTML sources of their PDFs; rel path → family (the original's rel)."""
    family: dict[str, str] = {}
    for folder in sorted(EVAL.iterdir()):
        if not (folder / "docs").is_dir():
            continue
        for path in sorted((folder / "docs").iterdir()):
            rel = f"{folder.name}/{path.name}"
            (corpus / folder.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, corpus / rel)
            if not path.name.endswith(".yaml"):
                family[rel] = rel
        for source in sorted((folder / "sources").glob("*.html")) if (folder / "sources").is_dir() else []:
            printed = f"{folder.name}/{source.stem}.pdf"
            if printed in family:
                rel = f"{folder.name}-sources/{source.name}"
                (corpus / f"{folder.name}-sources").mkdir(exist_ok=True)
                shutil.copy2(source, corpus / rel)
                family[rel] = printed
    return family


def edited(text: str, rng: random.Random, share: float = 0.03) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences))]
        sentences.insert(rng.randrange(1, len(sentences)), NEW_SENTENCE)
    words = " ".join(sentences).split(" ")
    for i in rng.sample(range(len(words)), k=max(1, int(len(words) * share))):
        words[i] = rng.choice(["", words[i].upper(), words[i] + "s", "notamment"])
    return " ".join(w for w in words if w)


def write_pdf(path: Path, text: str) -> None:
    from pdfgen import make_pdf

    chunks = [text[i : i + 2500] for i in range(0, len(text), 2500)] or [""]
    make_pdf(path, [f"{chunk}\n\nPage {n + 1} / {len(chunks)}" for n, chunk in enumerate(chunks)])


def write_docx(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    for paragraph in re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", text).split("\n\n"):
        document.add_paragraph(paragraph)
    document.save(str(path))


def make_versions(corpus: Path, texts: dict[str, str], family: dict[str, str], sample: int) -> dict[str, str]:
    """Write the versions of `sample` originals; rel → kind of version."""
    rng = random.Random(15)
    eligible = sorted(rel for rel, text in texts.items() if family.get(rel) == rel and len(text.split()) >= 150)
    chosen = rng.sample(eligible, min(sample, len(eligible)))
    (corpus / "versions").mkdir(exist_ok=True)
    kinds: dict[str, str] = {}
    for n, rel in enumerate(chosen):
        text = texts[rel]
        stem = f"versions/{n:03d}"
        words = text.split(" ")
        outputs = {
            f"{stem}-edit.txt": ("edit", edited(text, rng)),
            f"{stem}-header.md": ("header", HEADER + text + FOOTER),
            # Beyond « small edits », to see where grouping stops: 10 % of the words changed, and
            # the first two thirds of the text alone (an excerpt). Reported apart.
            f"{stem}-edit10.txt": ("edit10 *", edited(text, rng, 0.10)),
            f"{stem}-excerpt.txt": ("excerpt *", " ".join(words[: len(words) * 2 // 3])),
        }
        fmt = f"{stem}-format.docx" if rel.endswith(".pdf") else f"{stem}-format.pdf"
        for out_rel, (kind, content) in outputs.items():
            (corpus / out_rel).write_text(content, encoding="utf-8")
            kinds[out_rel], family[out_rel] = kind, rel
        (write_docx if fmt.endswith(".docx") else write_pdf)(corpus / fmt, text)
        kinds[fmt], family[fmt] = "format", rel
        if n < 40:  # 20 pairs of texts that end with the same paragraph
            out_rel = f"{stem}-boilerplate.txt"
            (corpus / out_rel).write_text(text + "\n\n" + BOILERPLATE, encoding="utf-8")
            kinds[out_rel], family[out_rel] = "boilerplate", rel
    return kinds


def evaluate(index: Path, family: dict[str, str], kinds: dict[str, str], stress: bool) -> None:
    """Pairwise precision and recall; `stress`: with the versions beyond small edits (edit10, excerpt)."""
    engine = open_engine(index)
    try:
        records = list(engine.records(SearchRequest(limit=10**6, group=False)))
    finally:
        engine.close()
    path_of = {r.id: p for r in records for p in r.paths}
    with versions.VersionStore(store.live_dir(index), readonly=True) as kept:
        groups = versions.groups_of_pairs(kept.pairs())
    group_of = {path_of[i]: n for n, ids in enumerate(groups) for i in ids if i in path_of}
    files = sorted(p for p in path_of.values() if p in family and (stress or "*" not in kinds.get(p, "")))
    tp = fp = fn = 0
    missed: dict[str, list[int]] = {}
    wrong = []
    for a, b in itertools.combinations(files, 2):
        truth = family[a] == family[b]
        predicted = a in group_of and group_of.get(a) == group_of.get(b)
        if truth:
            kind = kinds.get(b) or kinds.get(a) or ("source HTML" if "-sources/" in a + b else "other")
            hit_miss = missed.setdefault(kind, [0, 0])
            hit_miss[0] += predicted
            hit_miss[1] += 1
        tp += truth and predicted
        fp += predicted and not truth
        fn += truth and not predicted
        if predicted and not truth:
            wrong.append((a, b))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    label = "with the stress versions (*)" if stress else "small edits, headers and footers, formats"
    print(f"\n{label}: files {len(files)}; pairs of versions: {tp + fn}, pairs grouped: {tp + fp}")
    print(f"precision {precision:.3f}   recall {recall:.3f}   (targets: P ≥ 0.95, R ≥ 0.85)")
    for kind, (found, total) in sorted(missed.items()):
        print(f"  recall {kind:<12} {found}/{total} = {found / total:.3f}")
    for a, b in wrong[:20]:
        print(f"  grouped but not versions of one original: {a}  ~  {b}")


def cost(index: Path, seconds: float, documents: int) -> None:
    engine = open_engine(index)
    try:
        texts = {r.id: r.text for r in engine.records(SearchRequest(limit=10**6, group=False), with_text=True)}
    finally:
        engine.close()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import datasketch"], check=True)
    importing = time.perf_counter() - started
    # datasketch's import (scipy) is paid once per process, before the timings
    assert versions.signature(" ".join(f"mot{i}" for i in range(100))) is not None
    started = time.perf_counter()
    hashes = {doc_id: versions.shingle_hashes(text) for doc_id, text in texts.items()}
    hashing = time.perf_counter() - started
    started = time.perf_counter()
    sigs = {doc_id: versions.signature_of(h) if h else None for doc_id, h in hashes.items()}
    signing = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with versions.VersionStore(Path(tmp)) as fresh:
            items = list(sigs.items())
            for start in range(0, len(items), 500):
                fresh.apply(dict(items[start : start + 500]))
        storing = time.perf_counter() - started
        size = (Path(tmp) / versions.STORE_FILE).stat().st_size
    words = sum(len(t.split()) for t in texts.values())
    live = store.live_dir(index)
    print(f"\nindexing {documents} documents: {seconds:.1f} s in all ({seconds / documents * 1000:.0f} ms a document)")
    print(
        f"shingle hashes: {hashing:.2f} s ({hashing / len(texts) * 1000:.1f} ms a document, {words / len(texts):.0f} "
        f"words on average; in the extraction workers)"
    )
    print(
        f"signatures from the hashes: {signing:.2f} s ({signing / len(texts) * 1000:.2f} ms a document; in the indexer)"
    )
    print(
        f"store updates (bands, candidates, pairs): {storing:.2f} s ({storing / len(texts) * 1000:.2f} ms a document)"
    )
    print(f"import datasketch in a fresh process (once per indexing process): {importing:.2f} s")
    print(
        f"versions.sqlite {size / 1e6:.2f} MB for {len(texts)} documents; the index "
        f"{store.directory_bytes(live) / 1e6:.1f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-versions")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=60)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    corpus, index = args.out / "corpus", args.out / "index"
    corpus.mkdir(parents=True)
    family = copy_originals(corpus)
    first = index_corpus(corpus, index, jobs=args.jobs)
    print(f"originals and sources: {first.documents} documents in {first.seconds:.1f} s, failed {len(first.failed)}")
    engine = open_engine(index)
    try:
        texts = {r.path: r.text for r in engine.records(SearchRequest(limit=10**6, group=False), with_text=True)}
    finally:
        engine.close()
    kinds = make_versions(corpus, texts, family, args.sample)
    second = index_corpus(corpus, index, jobs=args.jobs)
    print(f"versions: {second.added} documents added in {second.seconds:.1f} s, failed {len(second.failed)}")
    evaluate(index, family, kinds, stress=False)
    evaluate(index, family, kinds, stress=True)
    cost(index, first.seconds + second.seconds, second.documents)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
