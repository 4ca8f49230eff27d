"""Runs the API with uvicorn, and says where it listens once it does."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from archive import config as paths
from archive_api.app import create_app
from archive_api.balance import BalancedWorkers
from archive_api.settings import Settings, SettingsError


class ServeError(RuntimeError):
    """The server could not start (the message says why, on one line)."""


def app_from_env() -> FastAPI:
    """The app of one worker process: paths from ARCHIVE_INDEX/ARCHIVE_CORPUS, set by `serve`."""
    return create_app(Settings.from_env(index=paths.index_dir(), corpus=paths.corpus_dir()))


def _announce(sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"archive serve: http://{shown}:{port}/api/docs", flush=True)


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for server in self.servers:
            for sock in server.sockets:
                _announce(sock)


def _listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """The socket every worker accepts on; a port that anything holds is refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on the connections of such a socket (without
    # it, every answer waited about 40 ms for the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(backlog)  # connections wait in the backlog until a worker is up
    sock.set_inheritable(True)
    return sock


def serve(*, corpus: Path, index: Path, host: str = "127.0.0.1", port: int = 8502, workers: int = 1) -> None:
    """One process by default; with `workers` > 1, that many processes share the socket, each with
    its own engine, so searches run in parallel on several cores."""
    try:
        Settings.from_env(index=index, corpus=corpus)  # reports a bad variable before anything starts
    except SettingsError as exc:
        raise ServeError(str(exc)) from None
    os.environ["ARCHIVE_INDEX"], os.environ["ARCHIVE_CORPUS"] = str(index.resolve()), str(corpus.resolve())
    config = uvicorn.Config(
        "archive_api.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="on",
    )
    try:
        if workers > 1:
            sock = _listening_socket(host, port, config.backlog)
            _announce(sock)
            BalancedWorkers(config, sock).run()
        else:
            _Server(config).run()
    except OSError as exc:
        raise ServeError(f"impossible d'écouter sur {host}:{port} : {exc.strerror or exc}") from None
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        if exc.code:
            raise ServeError(f"impossible d'écouter sur {host}:{port} (adresse déjà prise ou non autorisée)") from None
