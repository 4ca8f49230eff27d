"""Which documents a Whoosh query matches, and their BM25F scores, computed with numpy.

Matching gives a boolean mask over the document numbers; set operations of the
query tree become array operations. Scores follow Whoosh's BM25F (same idf,
average lengths and one-byte field lengths) summed over the query's positive
terms, without stepping its matchers document by document. Two deliberate
differences: prefix, wildcard and fuzzy terms are scored by BM25F over their
expansions, where Whoosh gives them a constant score and so leaves `indus*`
unranked; and a facet value (the actor or scheme a typed name stands for) adds
its idf weighed like the name in the title and text (TAG_WEIGHT), where Whoosh
adds 1.0.
Query types this module does not know fall back to Whoosh for matching.
"""

from __future__ import annotations

import time
from functools import partial
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from archive.search_logic.limits import MAX_EXPANSIONS
from archive.whoosh.postings import PackedValues, Postings
from archive.whoosh.query import FIELD_BOOSTS, expansion_notice

K1 = 1.2
B = 0.75
# A document tagged with the actor or scheme that the typed words name counts as if its title and
# its text both held the name: their field weights, at BM25's saturation (K1 + 1), times the value's idf.
TAG_WEIGHT = FIELD_BOOSTS["title"] + FIELD_BOOSTS["text"]
EXPANDING = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Variations, wq.Regex)


class ArchiveBM25F(BM25F):
    """BM25F with the probabilistic idf of BM25 (as Lucene and Tantivy use).

    Whoosh's idf, log(N / (n + 1)) + 1, weighs a word found in one document of 80 only
    2.8 times a word found in half of them; BM25's log(1 + (N − n + 0.5) / (n + 0.5))
    weighs it about 6 times, so a rare word decides more of the ranking than a common
    one, which is what a partial match on a rare word needs.
    """

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count_all()
        return log(1 + (total - n + 0.5) / (n + 0.5))


class QueryEvaluator:
    """Matching and scoring for one search: postings read once are kept for the rest of it.

    Past `deadline` (time.monotonic()), OR branches and word expansions not yet read are
    skipped: the search answers with what it has, and `timed_out` tells so. Each prefix,
    wildcard or fuzzy term stands for at most MAX_EXPANSIONS words; `notices` says when
    one was cut.
    """

    def __init__(self, searcher: Searcher, postings: Postings, deadline: float | None = None) -> None:
        self.searcher = searcher
        self.postings = postings
        self.size = len(postings.live)
        self.deadline = deadline
        self.timed_out = False
        self.notices: list[str] = []
        self._read: dict[tuple[str, str | bytes], tuple[np.ndarray, np.ndarray, list | None]] = {}
        self._expansions: dict[wq.Query, list[tuple[str, bytes]]] = {}

    def expired(self) -> bool:
        if not self.timed_out and self.deadline is not None and time.monotonic() >= self.deadline:
            self.timed_out = True
        return self.timed_out

    # -- matching ---------------------------------------------------------------

    def match(self, q: wq.Query) -> np.ndarray:
        """Boolean mask of the live documents matching q."""
        kind = type(q)
        if q is wq.NullQuery:
            return self._empty()
        if kind is wq.Every:
            return self.postings.live.copy()
        if kind is wq.Term:
            return self._mask(self._term(q.fieldname, q.text)[0])
        if kind is wq.And:
            out = self.postings.live.copy()
            for sub in q.subqueries:
                out &= self.match(sub)
                if not out.any():
                    break
            return out
        if isinstance(q, wq.Or) and getattr(q, "minmatch", 0) in (0, 1, None):
            out = self._empty()
            for i, sub in enumerate(q.subqueries):
                if i and self.expired():
                    break
                out |= self.match(sub)
            return out
        if kind is wq.Not:
            return self.postings.live & ~self.match(q.query)
        if kind is wq.AndNot:
            return self.match(q.a) & ~self.match(q.b)
        if kind is wq.AndMaybe:
            return self.match(q.a)
        if kind is wq.Phrase and q.slop == 1:
            return self._phrase(q.fieldname, list(q.words))
        if isinstance(q, EXPANDING):
            out = self._empty()
            for fieldname, text in self._expanded(q):
                out[self._term(fieldname, text)[0]] = True
            return out
        return self._mask(np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64))

    def _phrase(self, fieldname: str, words: list[str]) -> np.ndarray:
        """Documents where the words follow each other, from their positions."""
        candidates = self.postings.live.copy()
        for word in words:
            candidates &= self._mask(self._term(fieldname, word)[0])
        if len(words) < 2 or not candidates.any():
            return candidates
        starts: np.ndarray | None = None
        for i, word in enumerate(words):
            docs, positions = self.positions(fieldname, word, candidates)
            keys = (docs << 32) | (positions - i + (1 << 31))  # where the phrase would start
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
            if not len(starts):
                break
        return self._mask(np.unique(starts >> 32))

    # -- scoring ----------------------------------------------------------------

    def top(
        self, q: wq.Query, allowed: np.ndarray, limit: int, factor: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The `limit` best (document, score) of the mask `allowed`, best first, ties by document.

        `factor`, when given, multiplies each document's score (the coverage of partial matches).
        """
        candidates = np.flatnonzero(allowed)
        if not len(candidates) or limit <= 0:
            return []
        scores = self.scores(q)
        if factor is not None:
            scores = scores * factor
        scores = scores[candidates]
        if len(candidates) > limit:
            best = np.argpartition(-scores, limit - 1)[:limit]
            candidates, scores = candidates[best], scores[best]
        order = np.lexsort((candidates, -scores))
        return list(zip(candidates[order].tolist(), scores[order].tolist(), strict=True))

    def scores(self, q: wq.Query) -> np.ndarray:
        """BM25F score of every document for the positive terms of q."""
        total = np.zeros(self.size, dtype=np.float64)
        for i, (fieldname, text, boost) in enumerate(self._scored_terms(q, 1.0)):
            if i and self.expired():
                break
            if fieldname not in self.searcher.schema:
                continue
            ids, weights = self._term(fieldname, text)
            if not len(ids):
                continue
            if not self.searcher.schema[fieldname].scorable:
                # A facet value (the actor or scheme a typed name stands for): weighed like the name
                # in a title, by how rare the value is, so that the documents tagged with it come
                # before those that only hold its words (« Made in France ! … Relancer la production »
                # for « France Relance »).
                total[ids] += boost * TAG_WEIGHT * self.searcher.idf(fieldname, text) * (K1 + 1) * weights
                continue
            idf = self.searcher.idf(fieldname, text)
            average = self.searcher.avg_field_length(fieldname) or 1
            lengths = self.postings.lengths(fieldname)[ids]
            norm = K1 * ((1 - B) + B * lengths / average)
            total[ids] += boost * idf * (weights * (K1 + 1)) / (weights + norm)
        return total

    def coverage(self, units: list[wq.Query]) -> np.ndarray:
        """Share of the query's words each document holds (1.0 for every word)."""
        held = np.zeros(self.size, dtype=np.float64)
        for unit in units:
            held += self.match(unit)
        return held / max(len(units), 1)

    def _scored_terms(self, q: wq.Query, boost: float):
        boost *= q.boost
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            yield from self._scored_terms(q.a, boost)
            return
        if type(q) is wq.Term:
            yield q.fieldname, q.text, boost
            return
        if isinstance(q, wq.Phrase):
            for word in q.words:
                yield q.fieldname, word, boost
            return
        if isinstance(q, EXPANDING):
            for fieldname, text in self._expanded(q):
                yield fieldname, text, boost
            return
        for child in q.children():
            yield from self._scored_terms(child, boost)

    # -- postings ---------------------------------------------------------------

    def _term(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        ids, weights, _ = self._entry(fieldname, text)
        return ids, weights

    def _entry(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray, list | None]:
        """A term's live postings, with their values (positions) in a field that has them."""
        key = (fieldname, text)
        found = self._read.get(key)
        if found is None:
            if self._positional(fieldname):
                found = self.postings.postings_with_values(fieldname, text)
            else:
                found = (*self.postings.postings(fieldname, text), None)
            self._read[key] = found
        return found

    def _positional(self, fieldname: str) -> bool:
        schema = self.searcher.schema
        return fieldname in schema and schema[fieldname].format.supports("positions")

    def positions(self, fieldname: str, text: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs of a term in the documents of the mask `wanted`, from the
        postings this search has read (the term's blocks are decoded once per search)."""
        ids, _, values = self._entry(fieldname, text)
        if values is None:
            return self.postings.positions(fieldname, text, wanted)
        kept = np.flatnonzero(wanted[ids])
        kept_values = (
            values.take(kept) if isinstance(values, PackedValues) else list(map(values.__getitem__, kept.tolist()))
        )
        return self.postings.decode_positions(fieldname, ids[kept], kept_values)

    def positions_by_doc(self, terms: list[str], docnums: list[int]) -> dict[int, list[list[int]]]:
        """archive.search_logic.port.IndexState.positions, from this search's postings."""
        return self.postings.positions_by_doc("text", terms, docnums, partial(self.positions, "text"))

    def expansions(self, q: wq.Query) -> list[bytes]:
        """The words an expanding term (prefix, fuzzy…) stands for in this search: read once,
        at most MAX_EXPANSIONS of them, and no more once the time budget is spent."""
        return [text for _, text in self._expanded(q)]

    def _expanded(self, q: wq.Query) -> list[tuple[str, bytes]]:
        found = self._expansions.get(q)
        if found is None:
            found = []
            for text in q._btexts(self.searcher.reader()):
                if len(found) >= MAX_EXPANSIONS:
                    self._notice(expansion_notice(q))
                    break
                if found and self.expired():
                    break
                found.append((q.fieldname, text))
            self._expansions[q] = found
        return found

    def _notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def _mask(self, ids: np.ndarray) -> np.ndarray:
        out = self._empty()
        out[ids] = True
        return out & self.postings.live

    def _empty(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)
