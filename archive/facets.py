"""Per-generation facet tables: document → values, value → documents.

Built once per index generation by walking the postings of each facet field
(cheap: facet lexicons are small), then every query counts facets with a
Counter over its matching document numbers instead of re-reading stored
fields or letting Whoosh rebuild overlap tables on every search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain

from archive.analysis import fold

EMPTY: tuple[str, ...] = ()


class FacetTables:
    def __init__(self, reader, fields: Iterable[str]) -> None:
        self.doc_count_all = reader.doc_count_all()
        self.live: frozenset[int] = frozenset(reader.all_doc_ids())
        self.by_doc: dict[str, list[tuple[str, ...]]] = {}
        self.by_value: dict[str, dict[str, frozenset[int]]] = {}
        for fieldname in fields:
            self._load(reader, fieldname)
        self.datekey: list[int] = self._load_datekeys(reader)

    def _load(self, reader, fieldname: str) -> None:
        rows: list[list[str] | None] = [None] * self.doc_count_all
        values: dict[str, frozenset[int]] = {}
        for term in reader.lexicon(fieldname):
            value = term.decode("utf-8")
            docs = frozenset(d for d in reader.postings(fieldname, term).all_ids() if d in self.live)
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

    def _load_datekeys(self, reader) -> list[int]:
        if reader.has_column("datekey"):
            column = reader.column_reader("datekey")
            return [column[d] for d in range(self.doc_count_all)]
        return [0] * self.doc_count_all

    def count(self, fieldname: str, docs: Iterable[int]) -> Counter[str]:
        rows = self.by_doc[fieldname]
        return Counter(chain.from_iterable(map(rows.__getitem__, docs)))

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
