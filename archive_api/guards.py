"""Pure ASGI guards in front of the routes: the bearer token and the request body size cap."""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNAUTHORISED = "Jeton d'accès manquant ou invalide : envoyez l'en-tête « Authorization: Bearer <jeton> »."
TOO_LARGE = "Corps de requête trop volumineux (au plus {cap} octets) : l'API ne lit aucun corps de requête."


async def _json_error(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"status": status, "message": message}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BearerToken:
    """Every request needs `Authorization: Bearer <token>` (compared in constant time)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"authorization", b"")
        if not hmac.compare_digest(given, self.expected):
            await _json_error(send, 401, UNAUTHORISED, [(b"www-authenticate", b'Bearer realm="archive"')])
            return
        await self.app(scope, receive, send)


class BodyCap:
    """Refuses a request body larger than `cap` bytes with 413, announced or streamed."""

    def __init__(self, app: ASGIApp, cap: int) -> None:
        self.app = app
        self.cap = cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.cap):
            await _json_error(send, 413, TOO_LARGE.format(cap=self.cap), [(b"connection", b"close")])
            return
        if length is None and b"transfer-encoding" not in dict(scope["headers"]):
            await self.app(scope, receive, send)
            return
        # A body is coming (chunked, or within the cap): read it whole, at most `cap` bytes, then replay it.
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.cap:
                await _json_error(send, 413, TOO_LARGE.format(cap=self.cap), [(b"connection", b"close")])
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
