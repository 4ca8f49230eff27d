"""Everything a view shows is described by the URL: parse it, change it, write it back.

Pure code (no Streamlit): `UrlState.from_params` reads `?vue=…&q=…&acteur=…`,
`to_params` writes only what differs from the defaults, so links stay short.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from archive.facet_registry import ALL_OF, IN_SIDEBAR, TIMELINE_SPLITS, FacetSpec
from archive.models import SearchRequest

VIEWS: dict[str, str] = {
    "recherche": "Recherche",
    "chronologie": "Chronologie",
    "evolution": "Évolution des termes",
    "dossiers": "Dossiers",
    "document": "Document",
    "ajouter": "Ajouter des documents",
    "verifier": "À vérifier",
    "etat": "État de l'archive",
}
DEFAULT_VIEW = "recherche"
# URL parameter → library facet, in the order the sidebar shows them.
FACET_SPECS: dict[str, FacetSpec] = {spec.param: spec for spec in IN_SIDEBAR if spec.param}
FACET_PARAMS: dict[str, str] = {param: spec.name for param, spec in FACET_SPECS.items()}
# Facets whose ticked values can be asked all at once (« tous », AND) rather than one or another.
ALL_OF_PARAMS: tuple[str, ...] = tuple(spec.param for spec in ALL_OF if spec.param)
PARAM_OF: dict[str, str] = {facet: param for param, facet in FACET_PARAMS.items()}  # facet → URL parameter
FACET_LABELS: dict[str, tuple[str, str]] = {  # param → (plural heading, singular chip label)
    param: (spec.heading, spec.label) for param, spec in FACET_SPECS.items()
}
SORTS: dict[str, str] = {"pertinence": "relevance", "date": "date", "-date": "-date"}
SORT_LABELS: dict[str, str] = {"pertinence": "Pertinence", "date": "Date ↑", "-date": "Date ↓"}
GRANULARITIES: dict[str, str] = {"annee": "year", "mois": "month"}
# Timeline « Couleurs »: URL value → facet with one series per value (None: one series).
SPLITS: dict[str, str | None] = {"aucune": None} | {s.param: s.name for s in TIMELINE_SPLITS if s.param}
PAGE_SIZE = 10
# A bound on what the URL may carry; the engine itself shortens long queries with a notice.
MAX_URL_QUERY_CHARS = 2000
MAX_VALUES_PER_FACET = 20
_YEAR = re.compile(r"^\d{4}$")
_PERIOD = re.compile(r"^\d{4}(?:-\d{2})?$")
_DOC_ID = re.compile(r"^[0-9a-f]{1,64}$")


def _first(params: Mapping[str, list[str]], key: str) -> str:
    values = params.get(key) or []
    return values[-1].strip() if values else ""


def _year(text: str) -> int | None:
    return int(text) if _YEAR.match(text) else None


@dataclass(frozen=True)
class UrlState:
    vue: str = DEFAULT_VIEW
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # URL param → values
    de: int | None = None
    a: int | None = None
    tri: str = "pertinence"
    page: int = 1
    doc: str | None = None
    pas: str = "annee"
    couleur: str = "aucune"
    comparer: tuple[str, ...] = ()
    periode: str | None = None
    termes: tuple[str, ...] = ()  # « Évolution des termes »: up to four queries (param t)
    mesure: str = "nombre"  # or "part": share of all documents of the period
    serie: int | None = None  # the series of the clicked point
    toutes_versions: bool = False  # every version of a text listed (param versions=toutes)
    tous: tuple[str, ...] = ()  # facets (URL params) whose ticked values must all be held (param tous)

    # -- reading and writing the URL ----------------------------------------------

    @classmethod
    def from_params(cls, params: Mapping[str, list[str]]) -> UrlState:
        vue = _first(params, "vue")
        filters = {}
        for param in FACET_PARAMS:
            values = [v.strip() for v in params.get(param, []) if v.strip()]
            if values:
                filters[param] = tuple(dict.fromkeys(values))[:MAX_VALUES_PER_FACET]
        de, a = _year(_first(params, "de")), _year(_first(params, "a"))
        if de is not None and a is not None and de > a:
            de, a = a, de
        page = _first(params, "page")
        tri = _first(params, "tri")
        doc = _first(params, "doc").lower()
        pas, couleur = _first(params, "pas"), _first(params, "couleur")
        periode = _first(params, "periode")
        comparer = [v.strip() for v in params.get("comparer", []) if v.strip()]
        termes = [v.strip()[:MAX_URL_QUERY_CHARS] for v in params.get("t", []) if v.strip()]
        serie = _first(params, "serie")
        return cls(
            vue=vue if vue in VIEWS else DEFAULT_VIEW,
            q=_first(params, "q")[:MAX_URL_QUERY_CHARS],
            filters=filters,
            de=de,
            a=a,
            tri=tri if tri in SORTS else "pertinence",
            page=max(1, min(int(page), 10_000)) if page.isdigit() else 1,
            doc=doc if _DOC_ID.match(doc) else None,
            pas=pas if pas in GRANULARITIES else "annee",
            couleur=couleur if couleur in SPLITS else "aucune",
            comparer=tuple(dict.fromkeys(comparer))[:3],
            periode=periode if _PERIOD.match(periode) else None,
            termes=tuple(termes)[:4],
            mesure="part" if _first(params, "mesure") == "part" else "nombre",
            serie=int(serie) if serie in ("0", "1", "2", "3") else None,
            toutes_versions=_first(params, "versions") == "toutes",
            tous=tuple(p for p in ALL_OF_PARAMS if p in params.get("tous", [])),
        )

    def to_params(self) -> dict[str, str | list[str]]:
        """Only what differs from the defaults, in a stable order."""
        out: dict[str, str | list[str]] = {}
        if self.vue != DEFAULT_VIEW:
            out["vue"] = self.vue
        if self.q:
            out["q"] = self.q
        for param in FACET_PARAMS:
            if self.filters.get(param):
                out[param] = list(self.filters[param])
        if self.de is not None:
            out["de"] = str(self.de)
        if self.a is not None:
            out["a"] = str(self.a)
        if self.tri != "pertinence":
            out["tri"] = self.tri
        if self.page != 1:
            out["page"] = str(self.page)
        if self.doc:
            out["doc"] = self.doc
        if self.pas != "annee":
            out["pas"] = self.pas
        if self.couleur != "aucune":
            out["couleur"] = self.couleur
        if self.comparer:
            out["comparer"] = list(self.comparer)
        if self.periode:
            out["periode"] = self.periode
        if self.termes:
            out["t"] = list(self.termes)
        if self.mesure != "nombre":
            out["mesure"] = self.mesure
        if self.serie is not None:
            out["serie"] = str(self.serie)
        if self.toutes_versions:
            out["versions"] = "toutes"
        if self.tous:
            out["tous"] = list(self.tous)
        return out

    def link(self, **changes: object) -> str:
        """A relative URL (`?…`) for this state with some fields changed."""
        state = self.replace(**changes) if changes else self
        return "?" + urlencode(state.to_params(), doseq=True)

    def replace(self, **changes: object) -> UrlState:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    # -- search state helpers -------------------------------------------------------

    def selected(self, param: str) -> tuple[str, ...]:
        return self.filters.get(param, ())

    def toggle(self, param: str, value: str, *, on: bool) -> UrlState:
        """Add or remove a facet value; any change of the search goes back to page 1."""
        values = [v for v in self.selected(param) if v != value]
        if on:
            values.append(value)
        filters = {k: v for k, v in self.filters.items() if k != param}
        if values:
            filters[param] = tuple(values)
        return self.replace(filters=filters, page=1, periode=None)

    def all_at_once(self, param: str, *, on: bool) -> UrlState:
        """Ticked values of `param` all held (AND) or one or another (OR, the default)."""
        tous = tuple(p for p in ALL_OF_PARAMS if (p == param and on) or (p != param and p in self.tous))
        return self.replace(tous=tous, page=1, periode=None)

    def without_filters(self) -> UrlState:
        return self.replace(filters={}, de=None, a=None, page=1, periode=None)

    @property
    def has_filters(self) -> bool:
        return bool(self.filters) or self.de is not None or self.a is not None

    def request(self, *, limit: int = PAGE_SIZE, offset: int | None = None, **kw: object) -> SearchRequest:
        return SearchRequest(
            query=self.q,
            year_from=self.de,
            year_to=self.a,
            filters={FACET_PARAMS[p]: list(v) for p, v in self.filters.items()},
            all_of=[FACET_PARAMS[p] for p in self.tous],
            sort=SORTS[self.tri],
            limit=limit,
            offset=(self.page - 1) * limit if offset is None else offset,
            **{"group": not self.toutes_versions, **kw},  # type: ignore[arg-type]
        )
