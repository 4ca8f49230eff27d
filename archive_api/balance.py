"""Worker processes that share one listening socket and take connections in turn, the least busy
first.

A client (a notebook, a load generator) keeps its connection for all its requests, so where a
connection lands decides which process, core and interpreter lock serve it for good. With a plain
shared socket, the first worker to wake accepted every connection of a burst (four clients on one
process while the other idled); with one SO_REUSEPORT socket per worker the kernel spread them by a
hash of their addresses, so four clients landed three and one, or four and none, more often than
two and two. Here each worker publishes how many connections it holds, in memory shared by the
workers, and accepts only while no other live worker holds fewer. A connection that waits in the
backlog longer than PENDING_S is taken by any worker: a busy turn-holder delays it, never stalls it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import select
import socket
import time

import uvicorn
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

PUBLISH_S = 0.2  # how often a worker says how many connections it holds
STALE_S = 1.0  # a worker silent this long (dead, restarting) is left out of the turns
WAIT_S = 0.01  # how often a worker out of turn looks again
PENDING_S = 0.05  # a connection waiting this long is taken by whoever sees it


class BalancedWorkers(Multiprocess):
    """uvicorn's supervisor, its workers taking connections in turn on `sock`. A worker restarted
    by the supervisor is a plain uvicorn worker on the same socket: it takes connections without
    turns, and the others leave it out once its slot goes silent."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        super().__init__(config, sockets=[sock])
        # Per worker: [connections held, time.monotonic() of the last report] (CLOCK_MONOTONIC is
        # one clock for every process of the machine).
        self.loads = multiprocessing.get_context("spawn").RawArray("d", 2 * config.workers)

    def init_processes(self) -> None:
        for slot in range(self.processes_num):
            process = _BalancedProcess(self.config, self.sockets, self.loads, slot)
            process.start()
            self.processes.append(process)


class _BalancedProcess(Process):
    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], loads, slot: int) -> None:
        self.loads, self.slot = loads, slot  # before the process is made: the child gets them
        super().__init__(config, sockets)

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = BalancedServer(self.config, self.loads, self.slot)
        return self._server


class BalancedServer(uvicorn.Server):
    """A uvicorn server that accepts on its socket itself, one connection at a time, in turn."""

    def __init__(self, config: uvicorn.Config, loads, slot: int) -> None:
        super().__init__(config)
        self.loads, self.slot = loads, slot
        self._tasks: list[asyncio.Task] = []
        self._pending_since: float | None = None  # when the connection now in the backlog was first seen

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's lifespan; no asyncio server of its own
        if self.should_exit or not sockets:
            return
        config = self.config

        def create_protocol() -> asyncio.Protocol:  # as uvicorn's own startup makes them
            protocol = config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )
            lost = protocol.connection_lost

            def connection_lost(exc: Exception | None) -> None:
                lost(exc)
                self.publish()  # at once: a count left high would turn the next clients away

            protocol.connection_lost = connection_lost
            return protocol

        self._tasks = [asyncio.create_task(self._accept(sock, create_protocol)) for sock in sockets] + [
            asyncio.create_task(self._report())
        ]

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for task in self._tasks:
            task.cancel()
        self.loads[2 * self.slot + 1] = 0.0  # out of the turns at once
        await super().shutdown(sockets=sockets)

    def held(self) -> int:
        return len(self.server_state.connections)

    def publish(self) -> None:
        self.loads[2 * self.slot] = self.held()
        self.loads[2 * self.slot + 1] = time.monotonic()

    def my_turn(self) -> bool:
        """True unless another live worker holds fewer connections."""
        now, mine = time.monotonic(), self.held()
        for slot in range(len(self.loads) // 2):
            if slot != self.slot and now - self.loads[2 * slot + 1] < STALE_S and self.loads[2 * slot] < mine:
                return False
        return True

    async def _report(self) -> None:
        while True:
            self.publish()
            await asyncio.sleep(PUBLISH_S)

    def _kept_waiting(self, sock: socket.socket) -> bool:
        """True once a connection has waited in the backlog for PENDING_S (whoever's turn it is)."""
        if not select.select([sock], [], [], 0)[0]:
            self._pending_since = None
            return False
        self._pending_since = self._pending_since or time.monotonic()
        return time.monotonic() - self._pending_since >= PENDING_S

    async def _accept(self, sock: socket.socket, create_protocol) -> None:
        loop = asyncio.get_running_loop()
        sock.setblocking(False)
        while True:
            self.publish()
            if not (self.my_turn() or self._kept_waiting(sock)):
                await asyncio.sleep(WAIT_S)
                continue
            self._pending_since = None
            try:
                conn, _ = await loop.sock_accept(sock)
            except OSError:  # too many open files, a connection reset before it was taken
                await asyncio.sleep(WAIT_S)
                continue
            if conn.family in (socket.AF_INET, socket.AF_INET6):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                await loop.connect_accepted_socket(create_protocol, conn)
            except OSError:
                conn.close()
