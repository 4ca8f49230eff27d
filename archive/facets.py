"""Per-generation facet tables: which documents hold which facet values, and dates.

Built once per index generation from the postings of each facet field, read
as numpy arrays (facet lexicons are small). Every query then counts facets
with numpy over its matching documents (one boolean mask, one bincount per
field) instead of re-reading stored fields or letting Whoosh rebuild overlap
tables on every search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property

import numpy as np

from archive.text import fold_name


class FacetTables:
    """Built from plain arrays (the backend reads them from its postings): ``live``, the mask of
    documents not deleted; ``values``, per facet field, each value's document numbers in order;
    ``datekeys``, every document's date key (0 when undated)."""

    def __init__(self, live: np.ndarray, values: Mapping[str, Mapping[str, np.ndarray]], datekeys: np.ndarray) -> None:
        self.doc_count_all = len(live)
        self._live_mask = live
        # Per field: value names, each value's documents, the value codes of every document in
        # document order (see _load), and each value's number of documents.
        self._names: dict[str, list[str]] = {}
        self._ids: dict[str, dict[str, np.ndarray]] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._per_doc: dict[str, np.ndarray] = {}
        self._starts: dict[str, np.ndarray] = {}
        self._totals: dict[str, np.ndarray] = {}
        # Fields with at most one value per document (year, type, language): that value's code
        # for every document (the number of values when it has none), counted in one bincount.
        self._single: dict[str, np.ndarray] = {}
        # The documents of the last mask counted, and whether they are its complement: a search
        # counts every facet over the same mask.
        self._docs_of: tuple[np.ndarray, np.ndarray, bool] | None = None
        for fieldname, field_values in values.items():
            self._load(fieldname, {name: ids for name, ids in field_values.items() if len(ids)})
        self.datekeys = datekeys
        self._last: tuple[object, np.ndarray] | None = None
        self._by_fold: dict[str, dict[str, list[str]]] = {}  # field → folded name → values

    def _load(self, fieldname: str, values: dict[str, np.ndarray]) -> None:
        self._ids[fieldname] = values
        self._names[fieldname] = list(values)
        arrays = list(values.values())
        pair_doc = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
        pair_code = np.repeat(np.arange(len(values), dtype=np.int32), [len(a) for a in arrays])
        # The (document, value) pairs in document order: a document's values are one stretch
        # of _codes, from _starts[doc] to _starts[doc + 1].
        order = np.argsort(pair_doc, kind="stable")
        self._codes[fieldname] = pair_code[order]
        per_doc = np.bincount(pair_doc, minlength=self.doc_count_all).astype(np.int32)
        self._per_doc[fieldname] = per_doc
        self._starts[fieldname] = np.concatenate(([0], np.cumsum(per_doc)))
        self._totals[fieldname] = np.bincount(pair_code, minlength=len(values))
        if not len(per_doc) or per_doc.max() <= 1:
            single = np.full(self.doc_count_all, len(values), dtype=np.int32)
            single[pair_doc] = pair_code
            self._single[fieldname] = single

    @cached_property
    def live(self) -> frozenset[int]:
        return frozenset(np.flatnonzero(self._live_mask).tolist())

    @property
    def live_mask(self) -> np.ndarray:
        """Boolean mask of the documents not deleted (do not modify it)."""
        return self._live_mask

    def count(self, fieldname: str, docs: Iterable[int] | np.ndarray) -> Counter[str]:
        """Documents of `docs` per value of the field (values with none left out)."""
        names = self._names[fieldname]
        counts = self._counts(fieldname, self._mask(docs))
        found = np.flatnonzero(counts)
        return Counter(dict(zip([names[i] for i in found.tolist()], counts[found].tolist(), strict=True)))

    def _counts(self, fieldname: str, mask: np.ndarray) -> np.ndarray:
        """Per value code, the documents of the mask holding it: the stretches of codes of those
        documents gathered and counted (of the other documents, when they are fewer)."""
        docs, complement = self._docs(mask)
        if complement:
            return self._totals[fieldname] - self._gathered(fieldname, docs)
        return self._gathered(fieldname, docs)

    def _docs(self, mask: np.ndarray) -> tuple[np.ndarray, bool]:
        """The documents of the mask, or those outside it when they are fewer (then True)."""
        last = self._docs_of
        if last is not None and last[0] is mask:
            return last[1], last[2]
        complement = int(np.count_nonzero(mask)) > len(mask) // 2
        docs = np.flatnonzero(~mask if complement else mask)
        self._docs_of = (mask, docs, complement)
        return docs, complement

    def _gathered(self, fieldname: str, docs: np.ndarray) -> np.ndarray:
        """Per value code, how many of the documents `docs` hold it."""
        single = self._single.get(fieldname)
        if single is not None:
            return np.bincount(single[docs], minlength=len(self._totals[fieldname]) + 1)[:-1]
        starts = self._starts[fieldname][docs]
        lengths = self._per_doc[fieldname][docs]
        # Index of each gathered pair: its document's start plus its rank within the document.
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        codes = self._codes[fieldname][offsets + np.arange(len(offsets))]
        return np.bincount(codes, minlength=len(self._totals[fieldname]))

    def date_order(self, docs: Iterable[int] | np.ndarray, descending: bool, stop: int) -> list[int]:
        """The first `stop` of `docs` by date (newest first if descending), undated last; ties by docnum."""
        mask = self._mask(docs)
        keys = self.datekeys
        dated = np.flatnonzero(mask & (keys != 0))
        order = np.argsort(-keys[dated] if descending else keys[dated], kind="stable")
        first = dated[order[:stop]].tolist()
        if len(first) < stop:
            first += np.flatnonzero(mask & (keys == 0))[: stop - len(first)].tolist()
        return first

    def value_mask(self, fieldname: str, values: Iterable[str]) -> np.ndarray:
        """Boolean mask of the documents holding any of the values."""
        table = self._ids[fieldname]
        mask = np.zeros(self.doc_count_all, dtype=bool)
        for v in values:
            if v in table:
                mask[table[v]] = True
        return mask

    def values(self, fieldname: str) -> list[str]:
        return list(self._names[fieldname])

    def resolve(self, fieldname: str, typed: str) -> list[str]:
        """Indexed values equal to what was typed, ignoring case, accents and hyphens between words."""
        return list(self._folded(fieldname).get(fold_name(typed), ()))

    def _folded(self, fieldname: str) -> dict[str, list[str]]:
        by_fold = self._by_fold.get(fieldname)
        if by_fold is None:  # built once per field (the tables are shared: at worst twice)
            by_fold = {}
            for value in self._names[fieldname]:
                by_fold.setdefault(fold_name(value), []).append(value)
            self._by_fold[fieldname] = by_fold
        return by_fold

    def containing(self, fieldname: str, typed: str, limit: int = 2) -> list[str]:
        """Indexed values whose name holds what was typed inside a word (« mittal » in
        « ArcelorMittal »), case and accents aside; those with the most documents first."""
        part = fold_name(typed)
        if not part:
            return []
        found = [v for folded, values in self._folded(fieldname).items() if part in folded for v in values]
        return sorted(found, key=lambda v: -len(self._ids[fieldname][v]))[:limit]

    def _mask(self, docs: Iterable[int] | np.ndarray) -> np.ndarray:
        """Boolean mask of a document set (or of a mask or array of document numbers); the last
        set is kept (a query counts six fields on it)."""
        if isinstance(docs, np.ndarray):
            if docs.dtype == bool:
                return docs
            mask = np.zeros(self.doc_count_all, dtype=bool)
            mask[docs] = True
            return mask
        last = self._last
        if last is not None and last[0] is docs:
            return last[1]
        mask = np.zeros(self.doc_count_all, dtype=bool)
        if not isinstance(docs, (list, tuple, set, frozenset)):
            docs = list(docs)
        if docs:
            mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        if isinstance(docs, (set, frozenset)):  # unchanged while we hold it: callers never mutate them
            self._last = (docs, mask)
        return mask
