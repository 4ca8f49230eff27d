"""Every facet of the archive, described once.

A facet's names in the JSON contract, the index, the app's URL, the query syntax, the
command line and the HTTP API, its French headings and how the app shows it are all
here; every other table (`models.FACETS`, `schema.FACET_FIELDS`, `query.FACET_ALIASES`,
`ui.state.FACET_PARAMS`, the CLI options…) is derived from `REGISTRY`. Adding a facet
is one `FacetSpec` below (plus its index field and the record attribute it reads).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FacetSpec:
    name: str  # in the JSON contract and SearchRequest.filters: "actor"
    field: str  # index field: "actors"
    # What researchers type before « : » (`acteur:CGT`); the first is the name shown back to
    # them. Accents and case do not matter when read (« theme: » is « thème: »); none: the
    # facet is not in the query syntax.
    query_names: tuple[str, ...]
    heading: str  # French plural heading: "Acteurs"
    label: str  # French singular label (filter chips, descriptions): "Acteur"
    mention: str  # French « the … » for sentences: "l’acteur"
    # Counted with every search (in SearchResult.facets) and answered by /api/facets/{name}.
    counted: bool = True
    param: str | None = None  # app URL parameter and sidebar list ("acteur"); None: not in the sidebar
    option: str | None = None  # `archive search --OPTION` and /api/search?OPTION=; None: not a filter option
    api_help: str = ""  # French description of the API parameter
    cli_help: str | None = None  # French help of the CLI option (default: api_help)
    chip: str | None = None  # CSS class of the badges of its values (cards, document page)
    expanded: bool = False  # its sidebar list starts open
    # Its selected values may be asked all at once (AND) instead of one or another (OR):
    # « Toutes à la fois (ET) » in the sidebar, `tous=` in the URL, `archive search --all-of`,
    # `/api/search?all_of=`, all through `SearchRequest.all_of`. Only for facets a document
    # holds several values of (a document has one type and one language).
    all_of: bool = False
    # Position among the timeline's « Couleurs » (one series per value); None: cannot split it.
    split_order: int | None = None
    # Position among the facets whose values a researcher may type as plain words (offered as
    # `lieu:…` alternatives when a search finds nothing), most specific first; None: never.
    suggest_order: int | None = None

    @property
    def query_name(self) -> str:
        """The French name shown back to researchers (`thème`)."""
        return self.query_names[0] if self.query_names else self.name


REGISTRY: tuple[FacetSpec, ...] = (
    FacetSpec(
        name="year",
        field="year",
        query_names=("année", "années", "year"),
        heading="Années",
        label="Année",
        mention="l’année",
    ),
    FacetSpec(
        name="actor",
        field="actors",
        query_names=("acteur", "acteurs", "actor"),
        heading="Acteurs",
        label="Acteur",
        mention="l’acteur",
        param="acteur",
        option="actor",
        api_help="Acteur (répétable : l'un ou l'autre)",
        chip="actor",
        expanded=True,
        all_of=True,
        split_order=2,
        suggest_order=2,
    ),
    FacetSpec(
        name="theme",
        field="themes",
        query_names=("thème", "thèmes"),
        heading="Thèmes",
        label="Thème",
        mention="le thème",
        param="theme",
        option="theme",
        api_help="Thème (répétable)",
        chip="theme",
        expanded=True,
        all_of=True,
        split_order=1,
        suggest_order=4,
    ),
    FacetSpec(
        name="place",
        field="places",
        query_names=("lieu", "lieux", "place"),
        heading="Lieux",
        label="Lieu",
        mention="le lieu",
        param="lieu",
        option="place",
        api_help="Lieu (répétable)",
        chip="place",
        suggest_order=1,
    ),
    FacetSpec(
        name="scheme",
        field="schemes",
        query_names=("dispositif", "dispositifs", "scheme", "schemes"),
        heading="Dispositifs",
        label="Dispositif",
        mention="le dispositif",
        param="dispositif",
        option="scheme",
        api_help="Dispositif (répétable)",
        cli_help="programme ou dispositif (France 2030, PIA…)",
        chip="scheme",
        suggest_order=3,
    ),
    FacetSpec(
        name="doc_type",
        field="doc_type",
        query_names=("type",),
        heading="Types",
        label="Type",
        mention="le type",
        param="type",
        option="type",
        api_help="Type de document (répétable)",
        suggest_order=5,
    ),
    FacetSpec(
        name="language",
        field="language",
        query_names=("langue", "language", "lang"),
        heading="Langues",
        label="Langue",
        mention="la langue",
        param="langue",
        option="lang",
        api_help="Langue, code ISO 639-1 (répétable)",
    ),
    # Not counted with every search: the « À vérifier » list filters on it.
    FacetSpec(
        name="review",
        field="review",
        query_names=(),  # not in the query syntax
        heading="À vérifier",
        label="À vérifier",
        mention="la vérification",
        counted=False,
    ),
)

BY_NAME: dict[str, FacetSpec] = {spec.name: spec for spec in REGISTRY}
COUNTED: tuple[FacetSpec, ...] = tuple(s for s in REGISTRY if s.counted)
IN_SIDEBAR: tuple[FacetSpec, ...] = tuple(s for s in REGISTRY if s.param is not None)
FILTER_OPTIONS: tuple[FacetSpec, ...] = tuple(s for s in REGISTRY if s.option is not None)
ALL_OF: tuple[FacetSpec, ...] = tuple(s for s in REGISTRY if s.all_of)
# Option name (`--all-of actor`, `all_of=actor`) → facet name, for the facets that may be asked all at once.
ALL_OF_BY_OPTION: dict[str, str] = {s.option: s.name for s in ALL_OF if s.option}
WITH_CHIPS: tuple[FacetSpec, ...] = tuple(s for s in REGISTRY if s.chip is not None)
TIMELINE_SPLITS: tuple[FacetSpec, ...] = tuple(
    sorted((s for s in REGISTRY if s.split_order is not None), key=lambda s: s.split_order or 0)
)
TYPED_AS_WORDS: tuple[FacetSpec, ...] = tuple(
    sorted((s for s in REGISTRY if s.suggest_order is not None), key=lambda s: s.suggest_order or 0)
)
