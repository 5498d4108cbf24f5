"""One client connection through a proxy: the accepted socket, the upstream socket, two links."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import TYPE_CHECKING

from paychaos.faults.link import Link

if TYPE_CHECKING:
    from paychaos.faults.proxy import Proxy

# SO_LINGER on, 0 seconds: close() sends RST instead of FIN.
_LINGER_RESET = struct.pack("ii", 1, 0)


def _tune(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Connection:
    """Both sides of one proxied TCP connection.

    ``index`` counts connections per proxy from 0; with the proxy's seed it
    fixes every random choice a toxic makes on this connection.
    """

    __slots__ = (
        "client",
        "client_gone",
        "closed",
        "down",
        "early",
        "early_eof",
        "index",
        "proxy",
        "up",
        "upstream",
    )

    def __init__(self, proxy: Proxy, index: int, client: asyncio.Transport) -> None:
        self.proxy = proxy
        self.index = index
        self.client = client
        self.upstream: asyncio.Transport | None = None
        self.up: Link | None = None  # client -> upstream server
        self.down: Link | None = None  # upstream server -> client
        self.closed = False
        # Bytes the client sent before the upstream side was open (reading is
        # paused then, but an event loop may already have read some).
        self.early: list[bytes] = []
        self.early_eof = False
        # Resolved when the client's socket is really closed (not just asked to close).
        self.client_gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def link(self, stream: str) -> Link | None:
        """The link for ``stream`` ("upstream" or "downstream"), once connected."""
        return self.up if stream == "upstream" else self.down

    def connected(self, upstream: asyncio.Transport) -> None:
        """The upstream connection is open: build both links with the proxy's current toxics."""
        self.upstream = upstream
        _tune(upstream)
        self.up = Link(
            self, "upstream", self.client, upstream, self.proxy.runs_for(self, "upstream")
        )
        self.down = Link(
            self, "downstream", upstream, self.client, self.proxy.runs_for(self, "downstream")
        )
        for link in (self.up, self.down):
            for run in link.runs:
                run.start()
        for data in self.early:
            self.up.feed(data)
        self.early.clear()
        if self.early_eof:
            self.up.feed_eof()
        self.client.resume_reading()

    def stream_ended(self, link: Link) -> None:
        """An end of stream came through ``link``: half-close, or close when both ended."""
        other = self.down if link is self.up else self.up
        if other is not None and other.eof_delivered:
            self.close()
            return
        if link.dst.can_write_eof():
            try:
                link.dst.write_eof()
            except (OSError, RuntimeError):
                self.close()
        else:
            self.close()

    def side_lost(self, side: str) -> None:
        """One socket is gone (peer closed or reset): finish the stream that came from it."""
        if self.closed:
            return
        link = self.up if side == "client" else self.down
        other = self.down if side == "client" else self.up
        if link is None or other is None:
            self.close()
            return
        # Nothing more can reach the lost side; once its own stream has gone
        # through the toxics, the whole connection closes.
        other.eof_delivered = True
        if link.eof_delivered:
            self.close()
        else:
            link.feed_eof()

    def close(self) -> None:
        """Close both sides (FIN), after flushing what is already written."""
        self._shut(reset=False)

    def reset(self) -> None:
        """Close both sides with a TCP reset: the peers see ``Connection reset by peer``."""
        self._shut(reset=True)

    def _shut(self, *, reset: bool) -> None:
        if self.closed:
            return
        self.closed = True
        transports = [t for t in (self.client, self.upstream) if t is not None]
        if reset:
            for transport in transports:
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        for link in (self.up, self.down):
            if link is not None:
                link.stop()
        for transport in transports:
            if reset:
                transport.abort()
            else:
                transport.close()
        self.proxy.forget(self)


class ClientSide(asyncio.Protocol):
    """The accepted socket: reads go up, its write buffer paces the downstream link."""

    __slots__ = ("connection", "proxy")

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        self.connection: Connection | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _tune(transport)
        # Nothing is read until the upstream side is open.
        transport.pause_reading()
        try:
            self.connection = self.proxy.accept(transport)
        except Exception:
            # Never leave a client hanging on a connection nobody serves.
            transport.abort()
            raise

    def data_received(self, data: bytes) -> None:
        connection = self.connection
        if connection is None:
            return
        if connection.up is not None:
            connection.up.feed(data)
        else:
            connection.early.append(data)

    def eof_received(self) -> bool:
        connection = self.connection
        if connection is None:
            return False
        if connection.up is not None:
            connection.up.feed_eof()
        else:
            connection.early_eof = True
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.connection is not None:
            if not self.connection.client_gone.done():
                self.connection.client_gone.set_result(None)
            self.connection.side_lost("client")

    def pause_writing(self) -> None:
        if self.connection is not None and self.connection.down is not None:
            self.connection.down.set_dst_paused(True)

    def resume_writing(self) -> None:
        if self.connection is not None and self.connection.down is not None:
            self.connection.down.set_dst_paused(False)


class UpstreamSide(asyncio.Protocol):
    """The socket to the real server: reads go down, its write buffer paces the upstream link."""

    __slots__ = ("connection",)

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def data_received(self, data: bytes) -> None:
        down = self.connection.down
        if down is not None:
            down.feed(data)

    def eof_received(self) -> bool:
        if self.connection.down is not None:
            self.connection.down.feed_eof()
            return True
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.connection.side_lost("upstream")

    def pause_writing(self) -> None:
        if self.connection.up is not None:
            self.connection.up.set_dst_paused(True)

    def resume_writing(self) -> None:
        if self.connection.up is not None:
            self.connection.up.set_dst_paused(False)
