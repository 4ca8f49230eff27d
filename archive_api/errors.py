"""Errors as JSON with a French `message` and the status that fits; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("archive.api")

INDEX_NOT_READY = (
    "L'index n'est pas encore prêt : il est en cours de construction, ou à construire avec « archive index ». "
    "Réessayez dans un instant."
)
RETRY_AFTER_SECONDS = "5"

_STATUS_MESSAGES = {
    404: "Adresse inconnue : la liste des routes est sur /api/docs.",
    405: "Méthode non permise : l'API est en lecture seule, seules les requêtes GET sont acceptées.",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"status": status, "message": message}, status_code=status, headers=headers)


def not_ready() -> ApiError:
    return ApiError(503, INDEX_NOT_READY, {"Retry-After": RETRY_AFTER_SECONDS})


_PARAM_NAMES = {"query": "paramètre", "path": "segment d'adresse", "header": "en-tête", "body": "corps"}


def _french(error: dict[str, Any]) -> str:
    """One pydantic validation error, in French."""
    where, *rest = error.get("loc", ("query",))
    name = ".".join(str(p) for p in rest if not isinstance(p, int)) or "?"  # all_of, not all_of.0
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        what = "est obligatoire"
    elif kind in ("int_parsing", "int_from_float", "int_type"):
        what = "doit être un nombre entier"
    elif kind in ("greater_than_equal", "greater_than"):
        what = f"doit être au moins {ctx.get('ge', ctx.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        what = f"doit être au plus {ctx.get('le', ctx.get('lt'))}"
    elif kind in ("literal_error", "enum"):
        what = f"doit valoir {ctx.get('expected', 'une des valeurs permises')}".replace(" or ", " ou ")
    elif kind in ("string_too_long",):
        what = f"est trop long (au plus {ctx.get('max_length')} caractères)"
    elif kind in ("too_long",):
        what = f"est répété trop de fois (au plus {ctx.get('max_length')})"
    elif kind == "string_pattern_mismatch":
        what = "n'a pas la forme attendue"
    else:
        what = "est invalide"
    return f"{_PARAM_NAMES.get(str(where), 'valeur')} « {name} » : {what}"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_french(e) for e in exc.errors()]
        return error_response(400, "Requête invalide : " + " ; ".join(details) + ".")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _STATUS_MESSAGES.get(exc.status_code) or str(exc.detail)
        return error_response(exc.status_code, message, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("erreur inattendue sur %s", request.url.path)
        return error_response(500, "Erreur interne du serveur ; l'incident est consigné dans son journal.")
