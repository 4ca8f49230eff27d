"""Versions of one text: documents whose words are nearly the same (the same communiqué on three
sites, a PDF and its HTML page, a draft and its final version).

Each text gets a MinHash signature over its word shingles (`datasketch`), computed at indexing
time: the extraction workers hash the shingles (the costly part, in parallel), the indexer turns the
hashes into the signature (datasketch loads scipy, 1–2 s: once per indexing process rather than in
every worker). The indexer keeps the signatures in `versions.sqlite` beside the
index files, with their LSH band keys (the bands and rows `MinHashLSH` chooses for the threshold)
so a new document finds its candidates with one indexed lookup instead of comparing itself with
every document; a candidate whose estimated Jaccard similarity reaches the threshold is stored as
a pair. The search engine reads the pairs once per index state and groups documents by connected
pairs (`Grouping`): a search then counts a group once and shows its best-dated document.

A table in SQLite rather than `MinHashLSH`'s in-memory dict: the watcher adds a few documents at a
time to an index of 100 000, and an in-memory LSH would have to be rebuilt or unpickled whole for
each batch. Searches never import datasketch (it loads scipy): they only read pairs.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from archive.text import fold_words as fold

STORE_FILE = "versions.sqlite"
NUM_PERM = 128
SEED = 1
SHINGLE_WORDS = 3
# Estimated Jaccard similarity of the shingle sets from which two documents are versions of one
# text (benchmarks/bench_versions.py measures precision and recall around it).
THRESHOLD = 0.5
# Texts with fewer shingles (about as many words) are never grouped: too short to tell a version
# from a shared formula (an invitation's two lines, a title page), or numbered notes of one
# template, where the few words that differ are the whole difference.
MIN_SHINGLES = 50
_WORD = re.compile(r"\w+")
_SQL_CHUNK = 500
_BATCH = 4096  # shingle hashes permuted at once: 4 MB of uint64, whatever the text's length


@dataclass(frozen=True)
class Version:
    """Another version of a document, as its page lists it."""

    id: str
    title: str
    date: str | None
    doc_type: str
    path: str
    similarity: float  # estimated share of word sequences in common (Jaccard), 0–1


def shingles(text: str) -> set[bytes]:
    """Overlapping sequences of SHINGLE_WORDS words, case, accents and punctuation ignored, so that
    re-typed or re-formatted copies (PDF line breaks, HTML, curly quotes) give the same shingles."""
    words = _WORD.findall(fold(text).replace("_", " "))
    n = SHINGLE_WORDS
    return {" ".join(words[i : i + n]).encode("utf-8") for i in range(len(words) - n + 1)}


def shingle_hashes(text: str) -> bytes | None:
    """The 32-bit hashes of a text's shingles (SHA-1, as datasketch's default `sha1_hash32`), as
    little-endian uint32; None when the text is too short to be grouped."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    return b"".join(hashlib.sha1(g).digest()[:4] for g in sorted(grams))


def signature_of(hashes: bytes) -> bytes:
    """The MinHash signature (NUM_PERM little-endian uint32) of shingle hashes."""
    from datasketch import MinHash  # imported when needed: datasketch loads scipy (1–2 s)

    # The scheme named: signatures stored in an index must stay comparable across datasketch releases.
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
    values = np.frombuffer(hashes, dtype="<u4").tolist()
    for start in range(0, len(values), _BATCH):  # datasketch permutes a (values × NUM_PERM) matrix
        minhash.update_batch(values[start : start + _BATCH])
    return np.asarray(minhash.hashvalues, dtype="<u4").tobytes()


def signature(text: str) -> bytes | None:
    """The MinHash signature of a text, None when too short to be grouped."""
    hashes = shingle_hashes(text)
    return None if hashes is None else signature_of(hashes)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))


@cache
def _band_ranges() -> tuple[tuple[int, int], ...]:
    """The (start, end) of each LSH band, as MinHashLSH chooses them for THRESHOLD and NUM_PERM."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return tuple(lsh.hashranges)


def band_keys(sig: bytes) -> list[int]:
    """One 63-bit key per band: two signatures share a key when they agree on a whole band."""
    values = np.frombuffer(sig, dtype="<u4")
    keys = []
    for band, (start, end) in enumerate(_band_ranges()):
        digest = hashlib.blake2b(bytes([band]) + values[start:end].tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little") >> 1)
    return keys


_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, sig BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS band (key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS band_n ON band (n);
CREATE TABLE IF NOT EXISTS pair (a TEXT NOT NULL, b TEXT NOT NULL, similarity REAL NOT NULL,
    PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pair_b ON pair (b);
"""


class VersionStore:
    """Signatures, band keys and version pairs of one index generation (`versions.sqlite`).

    Only the indexer writes it, under the index lock, before each commit of the index; searches
    open it read-only. A pair lists two ids in sorted order.
    """

    def __init__(self, directory: Path, readonly: bool = False) -> None:
        path = Path(directory) / STORE_FILE
        if readonly:
            # resolve(): an index given as a relative path (`--index .archive/index`) has no file URI.
            uri = f"{path.resolve().as_uri()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> VersionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def apply(self, added: dict[str, bytes | None], removed: Iterable[str] = ()) -> None:
        """Forget `removed` and the old state of `added`, then store each added signature and
        pair its document with the stored documents it is a version of. One transaction."""
        gone = list(dict.fromkeys([*removed, *added]))
        with self.db:
            for start in range(0, len(gone), _SQL_CHUNK):
                chunk = gone[start : start + _SQL_CHUNK]
                marks = ",".join("?" * len(chunk))
                self.db.execute(f"DELETE FROM band WHERE n IN (SELECT n FROM doc WHERE id IN ({marks}))", chunk)
                self.db.execute(f"DELETE FROM doc WHERE id IN ({marks})", chunk)
                self.db.execute(f"DELETE FROM pair WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk)
            fresh = {doc_id: sig for doc_id, sig in added.items() if sig is not None}
            for doc_id, sig in fresh.items():
                cur = self.db.execute("INSERT INTO doc (id, sig) VALUES (?, ?)", (doc_id, sig))
                n = cur.lastrowid
                self.db.executemany(
                    "INSERT OR IGNORE INTO band (key, n) VALUES (?, ?)", [(k, n) for k in band_keys(sig)]
                )
            for doc_id, sig in fresh.items():
                self._pair(doc_id, sig)

    def _pair(self, doc_id: str, sig: bytes) -> None:
        keys = band_keys(sig)
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT DISTINCT d.id, d.sig FROM band b JOIN doc d ON d.n = b.n WHERE b.key IN ({marks}) AND d.id != ?",
            [*keys, doc_id],
        ).fetchall()
        pairs = []
        for other, other_sig in rows:
            score = similarity(sig, other_sig)
            if score >= THRESHOLD:
                a, b = sorted((doc_id, other))
                pairs.append((a, b, round(score, 4)))
        self.db.executemany("INSERT OR REPLACE INTO pair (a, b, similarity) VALUES (?, ?, ?)", pairs)

    def pairs(self) -> list[tuple[str, str, float]]:
        return [tuple(row) for row in self.db.execute("SELECT a, b, similarity FROM pair ORDER BY a, b")]

    def signatures(self, ids: Iterable[str]) -> dict[str, bytes]:
        ids = list(ids)
        out: dict[str, bytes] = {}
        for start in range(0, len(ids), _SQL_CHUNK):
            chunk = ids[start : start + _SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT id, sig FROM doc WHERE id IN ({marks})", chunk).fetchall())
        return out

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM doc").fetchone()[0])


def groups_of_pairs(pairs: Iterable[tuple[str, str, float]]) -> list[list[str]]:
    """Documents linked by pairs, directly or through others (a draft, a revision, the final
    text), as sorted groups of two or more ids."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _score in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out: dict[str, list[str]] = {}
    for x in parent:
        out.setdefault(root(x), []).append(x)
    return sorted(sorted(g) for g in out.values())


@dataclass
class Grouping:
    """The groups of versions of one index state, by document number."""

    group_of: np.ndarray  # document number → group number, -1 for a document without versions
    members: list[list[str]] = field(default_factory=list)  # group number → its live ids
    by_id: dict[str, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, doc_count: int) -> Grouping:
        return cls(np.full(doc_count, -1, dtype=np.int32))

    @classmethod
    def build(cls, groups: list[list[str]], docnum_of, doc_count: int) -> Grouping:
        """`docnum_of(id)`: the live document number of an id, or None (deleted since)."""
        grouping = cls.empty(doc_count)
        for ids in groups:
            live = [(doc_id, docnum_of(doc_id)) for doc_id in ids]
            live = [(doc_id, d) for doc_id, d in live if d is not None]
            if len(live) < 2:
                continue
            number = len(grouping.members)
            grouping.members.append([doc_id for doc_id, _ in live])
            for doc_id, docnum in live:
                grouping.group_of[docnum] = number
                grouping.by_id[doc_id] = number
        return grouping

    def others(self, doc_id: str) -> list[str]:
        """The ids of the other versions of a document ([] when it has none)."""
        number = self.by_id.get(doc_id)
        return [] if number is None else [d for d in self.members[number] if d != doc_id]

    def collapse(self, mask: np.ndarray, datekeys: np.ndarray) -> np.ndarray:
        """`mask` with one document per group of versions: the best-dated of those it holds (the
        most precise date — day, then month, then year —, then the earliest, then the first
        indexed). A new mask; `mask` is left as it is."""
        grouped = np.flatnonzero(mask & (self.group_of >= 0))
        if len(grouped) < 2:
            return mask
        keys = datekeys[grouped].astype(np.int64)
        precision = (keys != 0).astype(np.int64) + (keys // 100 % 100 != 0) + (keys % 100 != 0)
        undated_last = np.where(keys == 0, np.iinfo(np.int64).max, keys)
        groups = self.group_of[grouped]
        order = np.lexsort((grouped, undated_last, -precision, groups))
        ordered_groups = groups[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = ordered_groups[1:] != ordered_groups[:-1]
        out = mask.copy()
        out[grouped[order][~first]] = False
        return out


_cache_lock = threading.Lock()
_cache: dict[str, tuple[str, Grouping]] = {}


def grouping_for(directory: Path, state: str, docnum_of, doc_count: int) -> Grouping:
    """The grouping of one index state (`state` changes with each commit), read once: the pairs
    are stored before each commit of the index, so they are complete when the state is seen."""
    key = str(directory)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
    try:
        with VersionStore(directory, readonly=True) as versions:
            pairs = versions.pairs()
    except sqlite3.Error:  # no store (an index built before versions were kept): no groups
        pairs = []
    grouping = Grouping.build(groups_of_pairs(pairs), docnum_of, doc_count)
    with _cache_lock:
        _cache[key] = (state, grouping)
        for stale in [k for k in _cache if k != key][:-8]:  # a few generations at most
            _cache.pop(stale, None)
    return grouping


def pair_similarities(directory: Path, doc_id: str, others: list[str]) -> dict[str, float]:
    """Estimated similarity of a document with each of `others` (those without a signature left out)."""
    try:
        with VersionStore(directory, readonly=True) as versions:
            sigs = versions.signatures([doc_id, *others])
    except sqlite3.Error:
        return {}
    mine = sigs.get(doc_id)
    if mine is None:
        return {}
    return {other: round(similarity(mine, sigs[other]), 3) for other in others if other in sigs}


def listed(
    others: list[str], scores: dict[str, float], record_of: Callable[[str], dict[str, Any] | None]
) -> list[Version]:
    """The other versions of a text as the document page lists them, oldest first (undated
    last); `record_of(id)` gives a stored record, None for a document no longer indexed."""
    out = []
    for other in others:
        rec = record_of(other)
        if rec is None:
            continue
        path = (rec.get("paths") or [""])[0]
        out.append(
            Version(other, rec.get("title", ""), rec.get("date"), rec.get("doc_type", ""), path, scores.get(other, 0.0))
        )
    return sorted(out, key=lambda v: (v.date is None, v.date or "", v.id))
