"""Per-generation facet tables: document → values, value → documents.

Built once per index generation by walking the postings of each facet field
(cheap: facet lexicons are small). Every query then counts facets with numpy
over its matching document numbers (one boolean mask per document set, one
bincount per field) instead of re-reading stored fields or letting Whoosh
rebuild overlap tables on every search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

from archive.analysis import fold

EMPTY: tuple[str, ...] = ()


class FacetTables:
    def __init__(self, reader, fields: Iterable[str]) -> None:
        self.doc_count_all = reader.doc_count_all()
        self.live: frozenset[int] = frozenset(reader.all_doc_ids())
        self.by_doc: dict[str, list[tuple[str, ...]]] = {}
        self.by_value: dict[str, dict[str, frozenset[int]]] = {}
        # Per field: value names, and for every (document, value) pair its document and value code.
        self._names: dict[str, list[str]] = {}
        self._pair_doc: dict[str, np.ndarray] = {}
        self._pair_code: dict[str, np.ndarray] = {}
        for fieldname in fields:
            self._load(reader, fieldname)
        self.datekey: list[int] = self._load_datekeys(reader)
        self._datekeys = np.array(self.datekey, dtype=np.int64)
        self._live_mask = self._mask_of(self.live)
        self._last: tuple[object, np.ndarray] | None = None
        self._value_ids: dict[tuple[str, str], np.ndarray] = {}

    def _load(self, reader, fieldname: str) -> None:
        rows: list[list[str] | None] = [None] * self.doc_count_all
        values: dict[str, frozenset[int]] = {}
        # An older index (searched while its rebuild runs) may lack a field: no values then.
        terms = reader.lexicon(fieldname) if fieldname in reader.schema else ()
        for term in terms:
            value = term.decode("utf-8")
            docs = frozenset(d for d in _term_ids(reader, fieldname, term) if d in self.live)
            if not docs:
                continue
            values[value] = docs
            for d in docs:
                row = rows[d]
                if row is None:
                    rows[d] = [value]
                else:
                    row.append(value)
        self.by_doc[fieldname] = [tuple(r) if r else EMPTY for r in rows]
        self.by_value[fieldname] = values
        self._names[fieldname] = list(values)
        sizes = [len(docs) for docs in values.values()]
        self._pair_doc[fieldname] = np.fromiter(
            (d for docs in values.values() for d in docs), dtype=np.int32, count=sum(sizes)
        )
        self._pair_code[fieldname] = np.repeat(np.arange(len(values), dtype=np.int32), sizes)

    def _load_datekeys(self, reader) -> list[int]:
        if reader.has_column("datekey"):
            column = reader.column_reader("datekey")
            return [column[d] for d in range(self.doc_count_all)]
        return [0] * self.doc_count_all

    def count(self, fieldname: str, docs: Iterable[int]) -> Counter[str]:
        """Documents of `docs` per value of the field (values with none left out)."""
        mask = self._mask(docs)
        names = self._names[fieldname]
        codes = self._pair_code[fieldname][mask[self._pair_doc[fieldname]]]
        counts = np.bincount(codes, minlength=len(names))
        found = np.flatnonzero(counts)
        return Counter(dict(zip([names[i] for i in found.tolist()], counts[found].tolist(), strict=True)))

    def date_order(self, docs: Iterable[int], descending: bool, stop: int) -> list[int]:
        """The first `stop` of `docs` by date (newest first if descending), undated last; ties by docnum."""
        mask = self._mask(docs)
        keys = self._datekeys
        dated = np.flatnonzero(mask & (keys != 0))
        order = np.argsort(-keys[dated] if descending else keys[dated], kind="stable")
        first = dated[order[:stop]].tolist()
        if len(first) < stop:
            first += np.flatnonzero(mask & (keys == 0))[: stop - len(first)].tolist()
        return first

    @property
    def live_mask(self) -> np.ndarray:
        """Boolean mask of the documents not deleted (do not modify it)."""
        return self._live_mask

    def value_mask(self, fieldname: str, values: Iterable[str]) -> np.ndarray:
        """Boolean mask of the documents holding any of the values."""
        table = self.by_value[fieldname]
        mask = np.zeros(self.doc_count_all, dtype=bool)
        for v in values:
            key = (fieldname, v)
            ids = self._value_ids.get(key)
            if ids is None and v in table:
                ids = self._value_ids[key] = np.fromiter(table[v], dtype=np.int64, count=len(table[v]))
            if ids is not None:
                mask[ids] = True
        return mask

    def _mask(self, docs: Iterable[int] | np.ndarray) -> np.ndarray:
        """Boolean mask of a document set; the last one is kept (a query counts six fields on it)."""
        if isinstance(docs, np.ndarray) and docs.dtype == bool:
            return docs
        if docs is self.live:
            return self._live_mask
        last = self._last
        if last is not None and last[0] is docs:
            return last[1]
        mask = self._mask_of(docs)
        if isinstance(docs, (set, frozenset)):  # unchanged while we hold it: callers never mutate them
            self._last = (docs, mask)
        return mask

    def _mask_of(self, docs: Iterable[int]) -> np.ndarray:
        mask = np.zeros(self.doc_count_all, dtype=bool)
        if not isinstance(docs, (list, tuple, set, frozenset)):
            docs = list(docs)
        if docs:
            mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        return mask

    def docs_with(self, fieldname: str, values: Iterable[str]) -> set[int]:
        table = self.by_value[fieldname]
        out: set[int] = set()
        for v in values:
            out |= table.get(v, frozenset())
        return out

    def values(self, fieldname: str) -> list[str]:
        return list(self.by_value[fieldname])

    def resolve(self, fieldname: str, typed: str) -> list[str]:
        """Indexed values equal to what was typed, ignoring case and accents."""
        wanted = fold(typed)
        return [v for v in self.by_value[fieldname] if fold(v) == wanted]


def _term_ids(reader, fieldname: str, term: bytes) -> list[int]:
    """Document numbers of a term over every segment (deleted documents excluded)."""
    out: list[int] = []
    for leaf, offset in reader.leaf_readers():
        if (fieldname, term) in leaf:
            ids = posting_ids(leaf.postings(fieldname, term))
            out.extend(ids if not offset else [d + offset for d in ids])
    return out


def posting_ids(matcher) -> list[int]:
    """Every id of a posting list, a block at a time when the matcher is Whoosh 3's leaf matcher."""
    deleted: frozenset[int] | set[int] = frozenset()
    leaf = matcher
    if type(matcher) is FilterMatcher and matcher._exclude:  # how a segment with deletions wraps it
        leaf, deleted = matcher.child, matcher._ids
    if type(leaf) is not W3LeafMatcher:
        return list(matcher.all_ids())
    out: list[int] = []
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        out.extend(leaf._ids[leaf._i :])
        leaf._next_block()
    return [d for d in out if d not in deleted] if deleted else out
