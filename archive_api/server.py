"""Runs the API with uvicorn, and says where it listens once it does."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn

from archive_api.app import create_app
from archive_api.settings import Settings, SettingsError


class ServeError(RuntimeError):
    """The server could not start (the message says why, on one line)."""


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for server in self.servers:
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                shown = f"[{host}]" if ":" in host else host
                print(f"archive serve: http://{shown}:{port}/api/docs", flush=True)


def serve(*, corpus: Path, index: Path, host: str = "127.0.0.1", port: int = 8502) -> None:
    try:
        settings = Settings.from_env(index=index, corpus=corpus)
    except SettingsError as exc:
        raise ServeError(str(exc)) from None
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="on",
    )
    server = _Server(config)
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        if exc.code:
            raise ServeError(f"cannot listen on {host}:{port} (address in use or not allowed)") from None
    if not server.started:
        print("archive serve: stopped", file=sys.stderr)
