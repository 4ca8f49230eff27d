"""The Whoosh schema of the archive and its version."""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from archive.analysis import ANALYSIS_VERSION, ValueTokenizer, french_analyzer, spelling_analyzer

# Bump when fields change; together with ANALYSIS_VERSION it decides a rebuild.
SCHEMA_VERSION = 3  # 3: stored records carry place roll-up, date_rule and detected entities
INDEX_VERSION = f"{SCHEMA_VERSION}.{ANALYSIS_VERSION}"

# Facet name (as in the JSON contract) → index field.
FACET_FIELDS: dict[str, str] = {
    "year": "year",
    "actor": "actors",
    "theme": "themes",
    "place": "places",
    "doc_type": "doc_type",
    "language": "language",
}


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
        title=TEXT(analyzer=fr, stored=True, field_boost=2.0),
        text=TEXT(analyzer=fr, stored=True),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False),
        actors=ValueField(),
        themes=ValueField(),
        places=ValueField(),
        doc_type=ValueField(),
        language=ValueField(),
        year=ValueField(),
        format=ValueField(),
        datekey=NUMERIC(int, bits=32, stored=False, sortable=True),
        record=STORED(),
        slot=ID(),  # never indexed: placeholders used while rewriting queries
    )
