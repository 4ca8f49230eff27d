"""Runs the API with uvicorn, and says where it listens once it does."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from archive import config as paths
from archive_api.app import create_app
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


class _OneSocketPerWorker(Multiprocess):
    """Each worker accepts on its own socket, all bound to one port with SO_REUSEPORT, so the
    kernel spreads new connections over the workers. With one shared socket, the first worker to
    wake accepted every connection of a burst, and since a client keeps its connection, four
    clients could all end on one process (one core, one GIL) while the other idled. A worker
    restarted by uvicorn takes the first socket (still a member of the group: nothing is lost)."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=sockets[:1])
        self._own_sockets = sockets

    def init_processes(self) -> None:
        for sock in self._own_sockets:
            process = Process(self.config, [sock])
            process.start()
            self.processes.append(process)


def _reuse_port_sockets(host: str, port: int, count: int, backlog: int) -> list[socket.socket]:
    """`count` listening sockets sharing one address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # A plain bind first: it fails when anything holds the port, even a server that would let
    # itself share it, and chooses the port when `port` is 0.
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, port))
        port = probe.getsockname()[1]
    sockets: list[socket.socket] = []
    for _ in range(count):
        # IPPROTO_TCP named, as uvicorn does: asyncio then sets TCP_NODELAY on each connection
        # (without it, every answer waited about 40 ms for the client's delayed ACK).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(backlog)  # connections wait in the backlog until the worker is up
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for server in self.servers:
            for sock in server.sockets:
                _announce(sock)


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
        if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
            sockets = _reuse_port_sockets(host, port, workers, config.backlog)
            _announce(sockets[0])
            _OneSocketPerWorker(config, sockets).run()
        elif workers > 1:
            sock = config.bind_socket()
            sock.listen(config.backlog)  # connections wait in the backlog until a worker is up
            _announce(sock)
            Multiprocess(config, sockets=[sock]).run()
        else:
            _Server(config).run()
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        if exc.code:
            raise ServeError(f"cannot listen on {host}:{port} (address in use or not allowed)") from None
