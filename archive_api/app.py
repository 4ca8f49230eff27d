"""The routes of `archive serve`. Read-only by construction: GET routes over `archive.engine`,
no import of the indexer, and no path from a request reaches the file system except through
a document id looked up in the index."""

from __future__ import annotations

import inspect
import mimetypes
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.middleware.cors import CORSMiddleware

from archive.csv_export import csv_chunks
from archive.engine import SearchEngine
from archive.facet_registry import ALL_OF_BY_OPTION, FILTER_OPTIONS, TIMELINE_SPLITS, FacetSpec
from archive.models import FACETS, SORTS, DocumentRecord, SearchRequest
from archive.payloads import document_payload, search_payload, search_request, stats_payload
from archive.store import index_stats
from archive_api import docs, errors
from archive_api.engine_access import EngineAccess
from archive_api.errors import ApiError
from archive_api.guards import BearerToken, BodyCap
from archive_api.settings import MAX_LIMIT, MAX_OFFSET, Settings

TITLE = "Archive de la politique industrielle française — API"
MAX_VALUES = 50  # repeated filter values per parameter
MAX_TEXT = 2000  # characters of a text parameter (the engine reads 500 of a query)
SPLITS = tuple(spec.name for spec in TIMELINE_SPLITS)  # facets that can split the timeline


def search_params(
    q: str,
    year_from: int | None,
    year_to: int | None,
    sort: str,
    limit: int,
    offset: int,
    group: bool = True,
    all_of: list[str] | None = None,
    **facets: list[str],
) -> SearchRequest:
    """The parameters of `archive search`, under the same names (its signature for FastAPI,
    with one repeatable parameter per facet option of the registry, is set just below)."""
    filters = {spec.name: facets.get(spec.name, []) for spec in FILTER_OPTIONS}
    return search_request(
        q,
        year_from=year_from,
        year_to=year_to,
        filters=filters,
        all_of=[ALL_OF_BY_OPTION[option] for option in all_of or []],
        sort=sort,
        limit=limit,
        offset=offset,
        group=group,
    )


def _filter_help(spec: FacetSpec) -> str:
    together = f" ; toutes à la fois avec `all_of={spec.option}`" if spec.option in ALL_OF_BY_OPTION else ""
    return spec.api_help + together


def _param(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


search_params.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        _param("q", Annotated[str, Query(max_length=MAX_TEXT, description="Requête, avec la syntaxe de l'app")], ""),
        _param("year_from", Annotated[int | None, Query(ge=1, le=9999, description="Année de début (incluse)")], None),
        _param("year_to", Annotated[int | None, Query(ge=1, le=9999, description="Année de fin (incluse)")], None),
        *(
            _param(
                spec.name,
                Annotated[list[str], Query(alias=spec.option, max_length=MAX_VALUES, description=_filter_help(spec))],
                [],
            )
            for spec in FILTER_OPTIONS
        ),
        _param(
            "all_of",
            Annotated[
                list[Literal[tuple(ALL_OF_BY_OPTION)]],  # type: ignore[valid-type]
                Query(
                    max_length=MAX_VALUES,
                    description="Facettes dont toutes les valeurs données doivent être présentes (ET) au lieu de "
                    "l'une ou l'autre (OU), comme « Toutes à la fois (ET) » dans l'app : "
                    f"{', '.join(ALL_OF_BY_OPTION)} (répétable ; `archive search --all-of`)",
                ),
            ],
            [],
        ),
        _param(
            "sort",
            Annotated[Literal[SORTS], Query(description="Ordre : pertinence, date croissante ou décroissante")],  # type: ignore[valid-type]
            "relevance",
        ),
        _param(
            "limit",
            Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Nombre de résultats (au plus {MAX_LIMIT})")],
            10,
        ),
        _param("offset", Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Résultats à sauter (pagination)")], 0),
        _param(
            "group",
            Annotated[
                bool,
                Query(
                    description="Versions d'un même texte comptées une fois (la mieux datée) ; false les liste toutes"
                ),
            ],
            True,
        ),
    ]
)


Search = Annotated[SearchRequest, Depends(search_params)]

ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


COMMON_ERRORS = {
    400: _error("Paramètre invalide (message en français)"),
    401: _error("Jeton manquant ou invalide (quand ARCHIVE_API_TOKEN est défini)"),
    413: _error("Corps de requête trop volumineux"),
    503: _error("Index pas encore prêt, ou temps imparti dépassé"),
}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


_STRINGS = {"type": "array", "items": {"type": "string"}}
HIT_SCHEMA = {
    "type": "object",
    "required": ["id", "title", "date", "year", "actors", "themes", "places", "doc_type", "language", "path"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "date": {"type": ["string", "null"]},
        "year": {"type": ["integer", "null"]},
        "actors": _STRINGS,
        "themes": _STRINGS,
        "places": _STRINGS,
        "schemes": _STRINGS,
        "score": {"type": "number"},
        "snippet": {"type": "string", "description": "Extrait, mots trouvés entre <mark> (HTML échappé)"},
        "partial": {"type": "boolean", "description": "Résultat approchant (tous les mots n'y sont pas)"},
        "versions": {**_STRINGS, "description": "Identifiants des autres versions du même texte"},
    },
}
SEARCH_SCHEMA = {
    "type": "object",
    "required": ["query", "total", "took_ms", "hits", "facets", "notices", "alternatives", "corrected"],
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        "took_ms": {"type": "number"},
        "hits": {"type": "array", "items": HIT_SCHEMA},
        "facets": {"type": "object", "additionalProperties": {"type": "object"}},
        "suggestion": {"type": "string"},
        "notices": _STRINGS,
        "alternatives": {"type": "array", "items": {"type": "object", "required": ["query", "total", "reason"]}},
        "corrected": {"type": ["string", "null"]},
        "grouped": {
            "type": "integer",
            "minimum": 0,
            "description": "Documents trouvés non comptés : autres versions d'un texte compté",
        },
    },
}
DOCUMENT_SCHEMA = {
    "type": "object",
    "required": [*HIT_SCHEMA["required"], "paths", "text", "sha256"],
    "properties": {
        **HIT_SCHEMA["properties"],
        "paths": _STRINGS,
        "text": {"type": "string"},
        "versions": {
            "type": "array",
            "description": "Les autres versions du même texte",
            "items": {"type": "object", "required": ["id", "title", "date", "similarity"]},
        },
    },
}


def create_app(settings: Settings) -> FastAPI:
    access = EngineAccess(settings.index, settings.time_budget)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        access.close()

    app = FastAPI(
        title=TITLE,
        version="1",
        description=docs.DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses=COMMON_ERRORS,
    )
    errors.install(app)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/api/docs")

    @app.get("/api/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(docs.page(app.openapi()))

    @app.get(
        "/api/search",
        summary="Rechercher",
        description="Le JSON de `archive search --json` ; en CSV (colonnes de l'export de l'app, documents "
        "trouvés seulement) avec `format=csv` ou `Accept: text/csv`, envoyé au fil de l'eau.",
        responses={
            200: {
                "description": "Résultats",
                "content": {
                    "application/json": {"schema": SEARCH_SCHEMA},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def search(
        request: Request,
        wanted: Search,
        format: Annotated[Literal["json", "csv"] | None, Query(description="json (défaut) ou csv")] = None,
    ):
        as_csv = format == "csv" or (format is None and _prefers_csv(request.headers.get("accept", "")))
        if as_csv:
            return await _csv_response(access, wanted)
        result = await access.run(lambda eng: eng.search(wanted))
        if result.error:
            raise ApiError(400, result.error)
        return JSONResponse(search_payload(result), headers={"Vary": "Accept"})

    @app.get(
        "/api/documents/{doc_id}",
        summary="Un document, avec son texte",
        description="Le JSON de `archive show --json`.",
        responses={200: _json("Le document", DOCUMENT_SCHEMA), 404: _error("Identifiant inconnu")},
    )
    async def document(doc_id: Annotated[str, PathParam(max_length=200)]) -> JSONResponse:
        record = await access.run(lambda eng: eng.document(doc_id))
        others = await access.run(lambda eng: eng.versions(doc_id))
        return JSONResponse(document_payload(_known(record, doc_id), others))

    @app.get(
        "/api/documents/{doc_id}/original",
        summary="Le fichier original",
        description="Le fichier tel qu'il a été déposé dans le corpus, en pièce jointe.",
        responses={
            200: {"description": "Le fichier", "content": {"application/octet-stream": {}}},
            404: _error("Identifiant inconnu, ou fichier retiré du corpus"),
        },
    )
    async def original(doc_id: Annotated[str, PathParam(max_length=200)]) -> FileResponse:
        record = _known(await access.run(lambda eng: eng.document(doc_id)), doc_id)
        path = original_file(settings.corpus, record)
        if path is None:
            raise ApiError(404, f"Le fichier original du document {doc_id} n'est plus dans le corpus.")
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(
            path,
            media_type=media,
            filename=path.name,
            content_disposition_type="attachment",
            headers={"X-Content-Type-Options": "nosniff"},
        )

    @app.get(
        "/api/facets/{facet}",
        summary="Valeurs d'une facette",
        description="Chaque valeur avec son nombre de documents, les plus fréquentes d'abord.",
        responses={200: _json("Valeurs et nombres")},
    )
    async def facet(facet: Annotated[Literal[FACETS], PathParam()]) -> JSONResponse:  # type: ignore[valid-type]
        counts = await access.run(lambda eng: eng.facet_values(facet))
        values = [{"value": value, "count": count} for value, count in counts.items()]
        return JSONResponse({"facet": facet, "values": values})

    @app.get(
        "/api/timeline",
        summary="Chronologie",
        description="Les séries que trace la vue Chronologie : documents par année ou par mois, "
        "éventuellement par thème ou par acteur.",
        responses={200: _json("Périodes et séries")},
    )
    async def timeline(
        wanted: Search,
        granularity: Annotated[Literal["year", "month"], Query(description="year ou month")] = "year",
        split: Annotated[Literal[SPLITS] | None, Query(description="Une série par thème ou acteur")] = None,  # type: ignore[valid-type]
        top: Annotated[int, Query(ge=1, le=20, description="Séries les plus fréquentes (le reste : « autres »)")] = 5,
        series: Annotated[
            list[str],
            Query(max_length=10, description="Séries choisies au lieu des plus fréquentes (ignoré sans split)"),
        ] = [],  # noqa: B006
    ) -> JSONResponse:
        def work(eng: SearchEngine) -> dict[str, Any]:
            check = eng.search(_light(wanted, limit=1))
            if check.error:
                raise ApiError(400, check.error)
            return eng.timeline(_light(wanted), granularity, split, top, series or None).to_dict()

        return JSONResponse(await access.run(work))

    @app.get(
        "/api/stats",
        summary="État de l'archive",
        description="Le JSON de `archive stats --json`.",
        responses={200: _json("Nombres et fichiers illisibles")},
    )
    async def stats() -> JSONResponse:
        return JSONResponse(stats_payload(await access.run(lambda eng: index_stats(eng, access.index))))

    @app.get(
        "/api/saved/{name}.atom",
        summary="Flux Atom d'une recherche enregistrée",
        description="Les 50 documents les plus récemment entrés dans la recherche enregistrée (veille), "
        "comme `archive feed NAME`. Lire le flux met à jour l'historique de la recherche, jamais l'archive.",
        responses={
            200: {"description": "Le flux (RFC 4287)", "content": {"application/atom+xml": {}}},
            404: _error("Aucune recherche enregistrée de ce nom"),
        },
    )
    async def saved_feed(name: Annotated[str, PathParam(max_length=200)]) -> Response:
        from archive import veille
        from archive.lab import LabDB, lab_path

        def work(eng: SearchEngine) -> bytes:
            path = lab_path(None, settings.index)
            lab = LabDB(path) if path.exists() else None  # a GET never creates the base
            search = lab.search_named(name) if lab is not None else None
            if search is None or lab is None:
                raise ApiError(404, f"Aucune recherche enregistrée ne s'appelle « {name} ».")
            return veille.atom_feed(lab, eng, search)

        return Response(await access.run(work), media_type="application/atom+xml; charset=utf-8")

    # Outermost last: CORS answers preflights before the token is asked for.
    app.add_middleware(BodyCap, cap=settings.max_body)
    if settings.token:
        app.add_middleware(BearerToken, token=settings.token)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD"],
            allow_headers=["Authorization", "Accept"],
        )
    _openapi_without_422(app, bool(settings.token))
    return app


def _light(request: SearchRequest, **changes: Any) -> SearchRequest:
    from dataclasses import replace

    return replace(request, with_facets=False, with_snippets=False, **changes)


def _known(record: DocumentRecord | None, doc_id: str) -> DocumentRecord:
    if record is None:
        raise ApiError(404, f"Aucun document avec l'identifiant « {doc_id} ».")
    return record


def original_file(corpus: Path, record: DocumentRecord) -> Path | None:
    """The first path of the record that is still a file inside the corpus (symlinks resolved)."""
    root = corpus.resolve()
    for rel in record.paths:
        path = (root / rel).resolve()
        if root in path.parents and path.is_file():
            return path
    return None


def _prefers_csv(accept: str) -> bool:
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return "text/csv" in types and (
        "application/json" not in types or types.index("text/csv") < types.index("application/json")
    )


async def _csv_response(access: EngineAccess, wanted: SearchRequest) -> StreamingResponse:
    """One search for the window's hits, then each document's record read as its row is sent."""
    result = await access.run(lambda eng: eng.search(_light(wanted)))
    if result.error:
        raise ApiError(400, result.error)
    ids = [hit.id for hit in result.hits if not hit.partial]
    engine = access.engine()

    def records():
        for doc_id in ids:
            record = engine.document(doc_id)
            if record is not None:  # removed by the indexer meanwhile
                yield record

    return StreamingResponse(
        csv_chunks(records()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="archive.csv"', "Vary": "Accept"},
    )


def _openapi_without_422(app: FastAPI, with_token: bool) -> None:
    """FastAPI documents validation errors as 422; this API answers them with 400."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                operation.get("responses", {}).pop("422", None)
                if with_token:
                    operation["security"] = [{"bearer": []}]
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        if with_token:
            schema.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
