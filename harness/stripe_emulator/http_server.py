"""A small HTTP/1.1 server on asyncio with keep-alive, built for low per-request latency.

The stdlib ``http.server`` costs a thread and several syscalls per request;
this protocol parses requests straight from the socket buffer and answers
synchronous handlers without leaving the event loop's callback.
"""

from __future__ import annotations

import asyncio
import http
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_HEAD_BYTES = 32 * 1024
MAX_BODY_BYTES = 1024 * 1024

_REASONS = {s.value: s.phrase for s in http.HTTPStatus}


@dataclass(slots=True)
class HttpRequest:
    """One parsed request."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    peer: str


@dataclass(slots=True)
class HttpResponse:
    """What a handler answers; ``abort`` resets the connection instead of answering."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"
    abort: bool = False


Handler = Callable[[HttpRequest], "HttpResponse | Awaitable[HttpResponse]"]


def plain_error(status: int, message: str) -> HttpResponse:
    """A protocol-level error (before any route was found), in Stripe's envelope."""
    body = ('{"error": {"type": "invalid_request_error", "message": "' + message + '"}}').encode()
    return HttpResponse(status, body)


class HttpProtocol(asyncio.Protocol):
    """One client connection: parse, dispatch, answer in order, keep alive."""

    def __init__(self, handler: Handler, connections: set[HttpProtocol]) -> None:
        self._handler = handler
        self._connections = connections
        self._buf = bytearray()
        self._busy = False
        self._transport: asyncio.Transport | None = None
        self._task: asyncio.Task[None] | None = None
        self._peer = ""

    # -- asyncio callbacks ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self._peer = peer[0] if peer else ""
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._connections.discard(self)
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if not self._busy:
            self._process()

    def close(self) -> None:
        """Close the connection (server shutdown)."""
        if self._transport is not None:
            self._transport.close()

    # -- request handling -----------------------------------------------------------------

    def _process(self) -> None:
        while not self._busy and self._transport is not None:
            buf = self._buf
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD_BYTES:
                    self._fail(431, "Request header section too large.")
                return
            if end > MAX_HEAD_BYTES:
                self._fail(431, "Request header section too large.")
                return
            lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0") or not parts[1]:
                self._fail(400, "Malformed request line.")
                return
            method, target, version = parts
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if not sep or not name or name[-1] in " \t" or name[0] in " \t":
                    self._fail(400, "Malformed header line.")
                    return
                headers[name.lower()] = value.strip()
            if "transfer-encoding" in headers:
                self._fail(411, "Send a Content-Length; chunked bodies are not accepted.")
                return
            length_text = headers.get("content-length", "0")
            if not length_text.isdigit() or len(length_text) > 12:
                self._fail(400, "Malformed Content-Length.")
                return
            length = int(length_text)
            if length > MAX_BODY_BYTES:
                self._fail(413, "Request body too large.")
                return
            total = end + 4 + length
            if len(buf) < total:
                return
            body = bytes(buf[end + 4 : total])
            del buf[:total]
            connection = headers.get("connection", "").lower()
            keep_alive = (
                "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
            )
            request = HttpRequest(method, target, headers, body, self._peer)
            result = self._handler(request)
            if type(result) is not HttpResponse and inspect.isawaitable(result):
                self._busy = True
                self._task = asyncio.ensure_future(self._finish(result, keep_alive))
                return
            self._respond(result, keep_alive)

    async def _finish(self, pending: Awaitable[HttpResponse], keep_alive: bool) -> None:
        try:
            response = await pending
        except asyncio.CancelledError:
            return
        except Exception:  # a bug in a handler must not kill the server
            response = HttpResponse(
                500, b'{"error": {"type": "api_error", "message": "Emulator internal error."}}'
            )
        self._busy = False
        self._task = None
        self._respond(response, keep_alive)
        if self._transport is not None and self._buf:
            self._process()

    def _respond(self, response: HttpResponse, keep_alive: bool) -> None:
        transport = self._transport
        if transport is None:
            return
        if response.abort:
            transport.abort()
            self._transport = None
            return
        body = response.body
        head = (
            f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}\r\n"
            f"Content-Type: {response.content_type}\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
        for name, value in response.headers:
            head += f"{name}: {value}\r\n"
        if not keep_alive:
            head += "Connection: close\r\n"
        transport.write(head.encode("latin-1") + b"\r\n" + body)
        if not keep_alive:
            transport.close()
            self._transport = None  # nothing more is read or answered on this connection

    def _fail(self, status: int, message: str) -> None:
        self._respond(plain_error(status, message), keep_alive=False)
        self._buf.clear()
