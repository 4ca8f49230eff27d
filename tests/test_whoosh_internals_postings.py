"""Posting lists read block by block (archive/whoosh/postings.py) equal Whoosh's own matchers.

The index is written with small posting blocks, so that common words span many blocks; it has
a compound and a plain segment (read from a memory map and from a file) and deleted documents.
"""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3Codec

from archive.facets import FacetTables
from archive.whoosh import fixes  # noqa: F401  (the archive's block format)
from archive.whoosh.postings import Postings
from archive.whoosh.schema import build_schema
from archive.whoosh.term_cache import TermCache, entry_bytes

WORDS = "industrie emploi usine salariés fermeture énergie hydrogène filière plan social transition".split()
FIELDS = ["text", "title", "actors", "themes", "year", "id"]


def _document(rng: random.Random, n: int) -> dict[str, object]:
    common = [WORDS[0]] * rng.randint(1, 4)  # in every document: many blocks
    words = common + rng.choices(WORDS, k=rng.randint(3, 40)) + [f"rare{n % 37}"]
    rng.shuffle(words)
    if n % 50 == 0:  # a long text: positions wider than 16 bits
        words += ["filler"] * 70_000 + [WORDS[1]]
    return {
        "id": f"doc{n}",
        "title": " ".join(rng.sample(WORDS, 2)),
        "text": " ".join(words),
        "actors": "\x1f".join(rng.sample(["CGT", "CFDT", "Bpifrance", "État", "Renault"], rng.randint(0, 3))),
        "themes": rng.choice(["emploi", "énergie", "industrie"]),
        "year": str(2000 + n % 20),
        "record": {"id": f"doc{n}"},
    }


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    folder = tmp_path_factory.mktemp("postings")
    ix = windex.create_in(str(folder), build_schema())
    rng = random.Random(7)
    for first, compound in ((0, True), (300, False)):
        writer = ix.writer(codec=W3Codec(blocklimit=8), compound=compound)
        for n in range(first, first + 300):
            writer.add_document(**_document(rng, n))
        writer.commit(merge=False)
    writer = ix.writer(codec=W3Codec(blocklimit=8))
    for n in range(0, 600, 7):
        writer.delete_by_term("id", f"doc{n}")
    writer.commit(merge=False)
    r = ix.reader()
    assert len(r.leaf_readers()) == 2 and r.has_deletions()
    yield r
    r.close()


def _through_matchers(reader, fieldname: str, btext: bytes, wanted=None):
    """A term's (ids, weights, values) read with Whoosh's own matchers, deleted documents left out."""
    ids, weights, values = [], [], []
    for leaf, offset in reader.leaf_readers():
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf.postings(fieldname, btext)
        while matcher.is_active():
            docnum = matcher.id() + offset
            if wanted is None or wanted[docnum]:
                ids.append(docnum)
                weights.append(matcher.weight())
                values.append(matcher.value())
            matcher.next()
    return ids, weights, values


@pytest.mark.parametrize("fieldname", FIELDS)
def test_blocks_read_as_whoosh_matchers_read_them(reader, fieldname: str) -> None:
    """Inlined terms, many blocks, deleted documents, fixed-size and empty values, both segments."""
    postings = Postings(reader)
    terms = list(reader.lexicon(fieldname))
    assert terms
    for btext in terms:
        ids, weights, values = postings._read(fieldname, btext, want_values=True)
        assert (ids.tolist(), weights.tolist(), list(values)) == _through_matchers(reader, fieldname, btext), btext
    if fieldname == "text":
        assert max(reader.doc_frequency(fieldname, t) for t in terms) > 100  # many blocks of 8


def test_blocks_without_a_wanted_document_are_skipped(reader) -> None:
    postings = Postings(reader)
    btext = b"industr"
    everywhere = postings.ids("text", btext)
    wanted = np.zeros(len(postings.live), dtype=bool)
    wanted[everywhere[[0, 17, -1]]] = True
    ids, weights, values = postings._read("text", btext, want_values=True, wanted=wanted)
    assert (ids.tolist(), weights.tolist(), values) == _through_matchers(reader, "text", btext, wanted)
    assert ids.tolist() == everywhere[[0, 17, -1]].tolist()


def test_positions_as_whoosh_decodes_them(reader) -> None:
    """Narrow (16-bit) and wide (32-bit) position deltas alike."""
    postings = Postings(reader)
    fmt = reader.schema["text"].format
    kinds = set()
    for word in ("industr", "emploi", "usin"):
        docs, positions = postings.positions("text", word, postings.live)
        _, _, values = _through_matchers(reader, "text", word.encode())
        kinds |= {v[:1] for v in values}
        ids = _through_matchers(reader, "text", word.encode())[0]
        expected = [(d, p) for d, v in zip(ids, values, strict=True) for p in fmt.decode_positions(v)]
        assert list(zip(docs.tolist(), positions.tolist(), strict=True)) == expected, word
        assert expected
    assert kinds == {b"H", b"I"}


def test_positions_by_document_equal_whoosh_skip_to(reader) -> None:
    postings = Postings(reader)
    terms = ["industr", "emploi", "absent"]
    docnums = np.flatnonzero(postings.live)[::5].tolist()
    found = postings.positions_by_doc("text", terms, docnums)
    for docnum in docnums:
        expected = []
        for term in terms:
            positions: list[int] = []
            if ("text", term) in reader:
                matcher = reader.postings("text", term)
                matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    positions = list(matcher.value_as("positions"))
            expected.append(positions)
        assert found[docnum] == expected, docnum
    assert all(p[0] for p in found.values()) and any(p[1] for p in found.values())


@pytest.mark.parametrize("share", [0.0, 0.01, 0.2, 0.5, 0.8, 1.0])
def test_facet_counts_equal_counting_each_value(reader, share: float) -> None:
    """Few documents (gathered), many (counted from the others), multi-valued facets and
    documents without a value, deleted documents."""
    postings = Postings(reader)
    fields = ["actors", "themes", "year"]
    tables = FacetTables(postings.live, {f: postings.field_values(f) for f in fields}, postings.column("datekey"))
    rng = np.random.default_rng(int(share * 100))
    mask = (rng.random(len(postings.live)) < share) & postings.live
    for fieldname in ("actors", "themes", "year"):
        expected = {}
        for btext in reader.lexicon(fieldname):
            ids = postings.ids(fieldname, btext)
            if mask[ids].any():
                expected[btext.decode()] = int(mask[ids].sum())
        counted = tables.count(fieldname, mask)
        assert dict(counted) == expected and list(counted) == list(expected), fieldname
        assert tables.count(fieldname, set(np.flatnonzero(mask).tolist())) == counted


def test_facet_value_resolution_ignores_case_and_accents(reader) -> None:
    postings = Postings(reader)
    tables = FacetTables(postings.live, {"actors": postings.field_values("actors")}, postings.column("datekey"))
    for typed, expected in [("etat", ["État"]), ("ÉTAT", ["État"]), ("cgt", ["CGT"]), ("inconnu", [])]:
        assert tables.resolve("actors", typed) == expected
    found = tables.resolve("actors", "cfdt")
    found.append("changed")  # the caller's list, not the table's
    assert tables.resolve("actors", "cfdt") == ["CFDT"]


def test_cached_postings_equal_fresh_ones_and_cannot_be_changed(reader) -> None:
    """The postings cache (kept between searches of one index state) gives what a fresh read
    gives, read-only, and stays within its bound in bytes, least recently used out first."""
    fresh = Postings(reader)
    sizing = Postings(reader, live=fresh.live, cache=TermCache(max_bytes=1 << 30))  # entries as kept
    sizes = {w: entry_bytes(sizing.postings_with_values("text", w)) for w in ("industr", "emploi", "usin")}
    cache = TermCache(max_bytes=4 * max(sizes.values()) + 1)
    cached = Postings(reader, live=fresh.live, cache=cache)
    for _ in range(2):
        for word in ("industr", "emploi", "usin", "absent"):
            ids, weights, values = cached.postings_with_values("text", word)
            expected = fresh.postings_with_values("text", word)
            assert (ids.tolist(), weights.tolist(), list(values)) == (
                expected[0].tolist(),
                expected[1].tolist(),
                list(expected[2]),
            )
            with pytest.raises(ValueError):
                ids[:1] = 0
    assert (cache.misses, cache.hits) == (4, 4)
    assert cached.ids("themes", "emploi").tolist() == fresh.ids("themes", "emploi").tolist()  # without values
    assert cache.bytes <= cache.max_bytes
    # Filling it past its bound drops the least recently used words first.
    for word in WORDS[1:]:
        for btext in [t.text.encode() for t in build_schema()["text"].analyzer(word)]:
            cached.postings_with_values("text", btext)
    assert cache.bytes <= cache.max_bytes and len(cache) < 1 + len(WORDS)
    assert ("text", b"industr", True) not in cache._entries


def test_a_word_too_big_for_the_cache_is_read_but_not_kept(reader) -> None:
    cache = TermCache(max_bytes=1000)
    postings = Postings(reader, cache=cache)
    ids = postings.ids("text", "industr")
    assert len(ids) > 100 and len(cache) == 0


def test_the_cache_keeps_posting_values_packed_and_positions_read_from_them_are_the_same(reader) -> None:
    """A list of bytes objects per term cost 41 bytes of overhead per document, ten times the
    positions: the cache holds them packed, in less than half the memory, with the same positions."""
    fresh = Postings(reader)
    cached = Postings(reader, live=fresh.live, cache=TermCache(max_bytes=1 << 30))
    for word in ("industr", "emploi", "usin"):
        listed = fresh.postings_with_values("text", word)
        packed = cached.postings_with_values("text", word)
        as_list = listed[0].nbytes + listed[1].nbytes + sum(sys.getsizeof(v) + 8 for v in listed[2])  # + list slot
        assert entry_bytes(packed) * 2 < as_list
        for step in (1, 2, 3):
            kept = np.arange(0, len(listed[0]), step)
            expected = fresh.decode_positions("text", listed[0][kept], [listed[2][i] for i in kept])
            found = cached.decode_positions("text", packed[0][kept], packed[2].take(kept))
            assert [a.tolist() for a in found] == [a.tolist() for a in expected]
        assert [packed[2][i] for i in range(len(packed[2]))] == list(listed[2])
