"""The Whoosh schema of the archive and its version."""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate

from whoosh.fields import ID, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence, Positions

from archive.analysis import ANALYSIS_VERSION, ValueTokenizer, french_analyzer, spelling_analyzer
from archive.facet_registry import REGISTRY

# Bump when fields change; together with ANALYSIS_VERSION it decides a rebuild.
# 3: stored records carry place roll-up, date_rule and detected entities
# 4: compact positions, each spelling word indexed once, posting blocks as typed arrays
# 5: schemes (« dispositifs ») facet; actors facet rolls federations up into confederations
# 6: records carry actors_detected (actors found outside the gazetteer with strong evidence)
# 7: versions.sqlite beside the index files: MinHash signatures and pairs of versions of one text
SCHEMA_VERSION = 7
INDEX_VERSION = f"{SCHEMA_VERSION}.{ANALYSIS_VERSION}"

# Facet name (as in the JSON contract) → index field; "review" is not counted with every
# search (not in models.FACETS): the « À vérifier » list filters on it.
FACET_FIELDS: dict[str, str] = {spec.name: spec.field for spec in REGISTRY}


class PreAnalysed(tuple):
    """A field value already analysed: the (term, frequency, weight, value) items of
    `format.word_values`, computed in another process and written as they are."""


class CompactPositions(Positions):
    """Word positions as one type byte and native uint16 deltas (uint32 when a gap needs it).

    Whoosh's own format spends a 4-byte count and a pickled list on every posting:
    this takes about a third of the bytes, and many postings decode at once with numpy.
    """

    def word_values(self, value, analyzer, **kwargs):
        if isinstance(value, PreAnalysed):
            return iter(value)
        return super().word_values(value, analyzer, **kwargs)

    def encode(self, poslist) -> bytes:
        deltas = [b - a for a, b in zip([0, *poslist], poslist, strict=False)]
        code = "I" if deltas and max(deltas) > 0xFFFF else "H"
        return code.encode() + array(code, deltas).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        deltas = array(chr(valuestring[0]))
        deltas.frombytes(valuestring[1:])
        return list(accumulate(deltas))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // (4 if valuestring[:1] == b"I" else 2)

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


def _text_field(analyzer, field_boost: float = 1.0) -> TEXT:
    field = TEXT(analyzer=analyzer, stored=True, field_boost=field_boost)
    field.format = CompactPositions(field_boost=field_boost)
    return field


class ValueField(FieldType):
    """Multi-valued exact facet values (case and accents kept for display)."""

    def __init__(self) -> None:
        self.format = Existence(field_boost=1.0)
        self.analyzer = ValueTokenizer()
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.spelling = False
        self.sortable_type = None


def build_schema() -> Schema:
    fr = french_analyzer()
    return Schema(
        id=ID(unique=True, stored=True),
        title=_text_field(fr, field_boost=2.0),
        text=_text_field(fr),
        # Unstemmed words for « vouliez-vous dire », each given once (see WhooshWriter): only the
        # lexicon serves, and a posting per word and document cost 18 % of the index.
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False),
        actors=ValueField(),
        themes=ValueField(),
        places=ValueField(),
        schemes=ValueField(),
        review=ValueField(),
        doc_type=ValueField(),
        language=ValueField(),
        year=ValueField(),
        format=ValueField(),
        datekey=NUMERIC(int, bits=32, stored=False, sortable=True),
        record=STORED(),
        slot=ID(),  # never indexed: placeholders used while rewriting queries
    )


# Whoosh pickles the schema into each index's table of contents, naming this module's classes
# (ValueField, CompactPositions) by module path. Indexes written before the Whoosh code moved into
# archive/whoosh/ name them `archive.schema`: keep that name importable so they still open.
sys.modules.setdefault("archive.schema", sys.modules[__name__])
