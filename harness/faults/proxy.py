"""A named proxy: a loopback listener, its upstream address, its toxics, its live connections."""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from typing import Any

from paychaos.faults.connection import ClientSide, Connection, UpstreamSide
from paychaos.faults.toxics.base import Toxic, ToxicRun

STREAMS = ("upstream", "downstream")


class ApiError(Exception):
    """A request the Toxiproxy API refuses: ``status`` and the message for ``{"error": ...}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def split_address(address: str, what: str) -> tuple[str, int]:
    """``"host:port"`` -> ``(host, port)``; ApiError 400 when malformed."""
    host, sep, port_text = str(address).rpartition(":")
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise ApiError(400, f"{what} must be host:port, got {address!r}")
    return host.strip("[]"), int(port_text)


@dataclass
class ToxicSpec:
    """A toxic as the API shows it, plus the toxic object that does the work."""

    name: str
    type: str
    stream: str
    toxicity: float
    toxic: Toxic

    def to_json(self) -> dict[str, Any]:
        """The toxic's Toxiproxy JSON."""
        return {
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": self.toxicity,
            "attributes": dict(self.toxic.attributes),
        }


@dataclass
class Proxy:
    """One Toxiproxy proxy, living on the server's event loop.

    A disabled proxy has no listener (new connections are refused) and no
    connections (open ones were dropped when it was disabled).
    """

    name: str
    listen_host: str
    listen_port: int
    upstream: str
    seed: int
    enabled: bool = True
    toxics: dict[str, ToxicSpec] = field(default_factory=dict)
    _server: asyncio.AbstractServer | None = None
    _connections: set[Connection] = field(default_factory=set)
    _accepted: int = 0

    @property
    def listen(self) -> str:
        """``host:port`` the proxy listens on (the real port once one was picked)."""
        return f"{self.listen_host}:{self.listen_port}"

    def to_json(self) -> dict[str, Any]:
        """The proxy's Toxiproxy JSON."""
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": [spec.to_json() for spec in self.toxics.values()],
        }

    # -- listener ----------------------------------------------------------

    async def start(self) -> None:
        """Listen (if enabled); port 0 becomes the port the system picked."""
        if not self.enabled or self._server is not None:
            return
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: ClientSide(self), self.listen_host, self.listen_port, reuse_address=True
            )
        except OSError as exc:
            raise ApiError(
                500, f"proxy {self.name}: cannot listen on {self.listen}: {exc}"
            ) from exc
        sock = self._server.sockets[0]
        self.listen_port = int(sock.getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and drop every open connection."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        connections = list(self._connections)
        for connection in connections:
            connection.close()
        # Answer only once the sockets are closed for real, so a client that
        # acts right after "disabled" already sees its connection gone.
        gone = [c.client_gone for c in connections if not c.client_gone.done()]
        if gone:
            await asyncio.wait(gone, timeout=1.0)

    async def set_enabled(self, enabled: bool) -> None:
        """Enable (listen again on the same port) or disable (refuse and drop)."""
        if enabled == self.enabled:
            return
        self.enabled = enabled
        if enabled:
            await self.start()
        else:
            await self.stop()

    # -- connections -------------------------------------------------------

    def accept(self, transport: asyncio.Transport) -> Connection:
        """A client connected: open the upstream side, then let bytes flow."""
        connection = Connection(self, self._accepted, transport)
        self._accepted += 1
        self._connections.add(connection)
        asyncio.get_running_loop().create_task(self._connect_upstream(connection))
        return connection

    async def _connect_upstream(self, connection: Connection) -> None:
        host, port = split_address(self.upstream, "upstream")
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_connection(
                lambda: UpstreamSide(connection), host, port
            )
        except OSError:
            # As Toxiproxy does: the client sees its connection closed.
            connection.close()
            return
        if connection.closed:
            transport.close()
            return
        connection.connected(transport)

    def forget(self, connection: Connection) -> None:
        """A connection closed."""
        self._connections.discard(connection)

    def runs_for(self, connection: Connection, stream: str) -> list[ToxicRun]:
        """Fresh per-connection runs of this proxy's toxics on ``stream``, in order."""
        return [
            self._run(spec, connection) for spec in self.toxics.values() if spec.stream == stream
        ]

    def _run(self, spec: ToxicSpec, connection: Connection) -> ToxicRun:
        # String seeds hash with SHA-512, so the stream of numbers is the same
        # in every process: same seed, same jitter and toxicity rolls.
        rng = random.Random(f"{self.seed}/{self.name}/{spec.name}/{spec.stream}/{connection.index}")
        return ToxicRun(spec.name, spec.toxic, connection, rng, spec.toxicity)

    # -- toxics, applied to live connections too -----------------------------

    def add_toxic(self, spec: ToxicSpec, position: int | None = None) -> None:
        """Add a toxic; every open connection gets it on its stream right away."""
        if spec.name in self.toxics:
            raise ApiError(409, "toxic already exists")
        if position is None:
            self.toxics[spec.name] = spec
        else:
            items = list(self.toxics.items())
            items.insert(position, (spec.name, spec))
            self.toxics = dict(items)
        for connection in list(self._connections):
            link = connection.link(spec.stream)
            if link is not None:
                link.add_run(self._run(spec, connection), self._stream_position(spec))

    def _stream_position(self, spec: ToxicSpec) -> int:
        return [s.name for s in self.toxics.values() if s.stream == spec.stream].index(spec.name)

    def remove_toxic(self, name: str) -> tuple[ToxicSpec, int]:
        """Remove a toxic everywhere; data it was holding flows on. Returns it and its position."""
        spec = self.toxics.get(name)
        if spec is None:
            raise ApiError(404, "toxic not found")
        position = list(self.toxics).index(name)
        del self.toxics[name]
        for connection in list(self._connections):
            link = connection.link(spec.stream)
            if link is not None:
                link.remove_run(name)
        return spec, position

    def replace_toxic(self, spec: ToxicSpec) -> None:
        """Update a toxic in place: same position, new attributes and toxicity."""
        _, position = self.remove_toxic(spec.name)
        self.add_toxic(spec, position)

    def remove_all_toxics(self) -> None:
        """Remove every toxic (part of ``/reset``)."""
        for name in list(self.toxics):
            with contextlib.suppress(ApiError):
                self.remove_toxic(name)
