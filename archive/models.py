"""Plain data exchanged between the archive library, the indexer, the CLI and the app."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.facet_registry import COUNTED

FACETS = tuple(spec.name for spec in COUNTED)  # the facets of SearchResult.facets, in this order
SORTS = ("relevance", "date", "-date")


@dataclass
class DocumentSummary:
    """What a list of documents shows of each: shared by records and search hits."""

    id: str
    title: str
    date: str | None
    year: int | None
    actors: list[str]
    themes: list[str]
    places: list[str]
    doc_type: str
    language: str


@dataclass
class DocumentRecord(DocumentSummary):
    """Everything the archive knows about one document (one content hash)."""

    paths: list[str]
    pages: int
    sha256: str
    size: int
    indexed_at: str
    text: str = ""
    format: str = ""
    date_precision: str | None = None
    source_url: str | None = None
    publication: str | None = None  # the newspaper or site, from the sidecar or the masthead
    # Where each metadata value came from: "extrait", "fiche" (sidecar) or "modifié" (corrected
    # in the app); and which rule gave the date ("date_rule") and the title ("title_rule").
    provenance: dict[str, str] = field(default_factory=dict)
    # Why each theme was assigned: theme → triggering terms.
    theme_evidence: dict[str, list[str]] = field(default_factory=dict)
    # Other dated events the document mentions: [{"date", "context"}].
    events: list[dict[str, str]] = field(default_factory=list)
    # Places with their department and region: [{"name","kind","department","region"}].
    place_details: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Organisations and people found by named-entity recognition and unknown to the
    # gazetteer (« acteurs détectés »), not in the actor facet: [{"name","kind","mentions"}],
    # kind "organisation" or "personne".
    detected_entities: list[dict[str, Any]] = field(default_factory=list)
    # Programmes and schemes named (« dispositifs », archive/vocab/schemes.yaml), and the
    # phrases that named each.
    schemes: list[str] = field(default_factory=list)
    scheme_evidence: dict[str, list[str]] = field(default_factory=dict)
    # Actors found outside the gazetteer with strong evidence (a subset of ``actors``,
    # marked « détecté » until a researcher confirms them).
    actors_detected: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.paths[0] if self.paths else ""

    def to_dict(self, with_text: bool = True) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = self.path
        if not with_text:
            d.pop("text")
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentRecord:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class SearchRequest:
    query: str = ""
    year_from: int | None = None
    year_to: int | None = None
    # facet name (actor, theme, place, scheme, doc_type, language) → selected values (OR within).
    filters: dict[str, list[str]] = field(default_factory=dict)
    # Facets whose selected values must all be held (AND within), e.g. ["actor"]: CGT and Bpifrance.
    all_of: list[str] = field(default_factory=list)
    sort: str = "relevance"
    limit: int = 10
    offset: int = 0
    with_facets: bool = True
    with_snippets: bool = True
    # Versions of one text (archive/versions.py) count once and show as one hit, the best-dated.
    group: bool = True


@dataclass
class Hit(DocumentSummary):
    path: str
    score: float
    snippet: str
    partial: bool = False
    schemes: list[str] = field(default_factory=list)
    actors_detected: list[str] = field(default_factory=list)
    # Ids of the other versions of the same text (« N autres versions »), grouping on or off.
    versions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """= dataclasses.asdict(self), without its recursive deep copy: every field is a string,
        a number, a boolean, None or a list of strings (a search answer lists many hits)."""
        out = {}
        for name in _HIT_FIELDS:
            value = getattr(self, name)
            out[name] = list(value) if type(value) is list else value
        return out


_HIT_FIELDS = tuple(Hit.__dataclass_fields__)


@dataclass
class Alternative:
    """A query that finds documents where the typed one found none, and why it is offered."""

    query: str
    total: int
    reason: str


@dataclass
class SearchResult:
    query: str
    total: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    error: str | None = None
    # How the query was understood where it differs from what was typed (French sentences).
    notices: list[str] = field(default_factory=list)
    # When nothing is found: queries that would find something.
    alternatives: list[Alternative] = field(default_factory=list)
    # The spelling correction whose results are shown, when the typed query found nothing.
    corrected: str | None = None
    # Matching documents left out of `total`, facets and hits as versions of a document counted
    # (0 when grouping is off).
    grouped: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 1),
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "error": self.error,
            "notices": list(self.notices),
            "alternatives": [asdict(a) for a in self.alternatives],
            "corrected": self.corrected,
            "grouped": self.grouped,
        }


@dataclass
class Timeline:
    """Documents per period (« 2020 » or « 2020-05 », every period from the first to the last
    dated one, empty ones included), in one series or one per facet value (the rest under
    « autres »); `undated` counts the documents without a date, `year_only` those the month view
    leaves out because they are dated to a year only (« année seule »)."""

    granularity: str  # "year" or "month"
    periods: list[str]
    series: dict[str, list[int]]  # series name → count per period
    undated: int
    year_only: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON of /api/timeline."""
        return asdict(self)


@dataclass
class IndexStats:
    """What « État de l'archive », `archive stats` and /api/stats show of the index."""

    documents: int
    # {"path", "reason", "when", "tries", …} per unreadable file: the indexer's record, added by
    # archive.store.index_stats (the engine leaves it empty)
    failed: list[dict[str, Any]]
    by_year: dict[str, int]
    by_language: dict[str, int]
    by_format: dict[str, int]
    index_bytes: int
    last_update: str | None  # local time of the last commit
    generation: str
    # The vocabulary (archive/vocab/ or the lab's copy) differs from the one the index was built
    # with: documents analysed before do not reflect it until the index is rebuilt.
    vocabulary_changed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class QuerySyntaxError(ValueError):
    """A query the parser cannot read; the message is French and shown as is."""


class IndexMissing(RuntimeError):
    """No index yet at this place: build it from the corpus."""


class IndexOutdated(RuntimeError):
    """The index was written by another schema/analysis version: rebuild it."""
