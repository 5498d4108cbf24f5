"""A small HTTP/1.1 server for the control API: keep-alive, Content-Length bodies, JSON answers.

Just enough HTTP for Toxiproxy clients (requests, curl, Go's net/http); the
proxies' data path never comes through here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from paychaos.faults.guard import ApiGuard

Handler = Callable[[str, str, bytes], Awaitable[tuple[int, Any]]]

_MAX_BODY = 1 << 20


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


async def serve_http_connection(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    handler: Handler,
    guard: ApiGuard | None = None,
) -> None:
    """Answer requests on one connection until the client closes it; ``guard`` refuses
    requests without the token, or from a browser (see ``paychaos.faults.guard``)."""
    guard = guard or ApiGuard()
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            try:
                method, target, version = request_line.decode("latin-1").split()
            except ValueError:
                await _respond(
                    writer, 400, {"error": "malformed request line", "status": 400}, False
                )
                return
            headers: dict[str, str] = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                key, _, value = line.decode("latin-1").partition(":")
                headers[key.strip().lower()] = value.strip()
            length_text = headers.get("content-length", "0")
            if not length_text.isdigit() or int(length_text) > _MAX_BODY:
                await _respond(writer, 400, {"error": "bad Content-Length", "status": 400}, False)
                return
            if headers.get("transfer-encoding", "").lower() == "chunked":
                await _respond(
                    writer, 400, {"error": "chunked bodies unsupported", "status": 400}, False
                )
                return
            body = await reader.readexactly(int(length_text)) if int(length_text) else b""
            keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            refused = guard.refusal(method.upper(), headers, body)
            if refused is not None:
                await _respond(
                    writer, refused[0], {"error": refused[1], "status": refused[0]}, False
                )
                return
            status, payload = await handler(method.upper(), target, body)
            await _respond(writer, status, payload, keep_alive)
            if not keep_alive:
                return
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
        # CancelledError: the server is shutting down; the connection just ends.
        return
    finally:
        writer.close()


async def _respond(
    writer: asyncio.StreamWriter, status: int, payload: Any, keep_alive: bool
) -> None:
    body = b"" if payload is None or status == 204 else json.dumps(payload).encode() + b"\n"
    head = [f"HTTP/1.1 {status} {_reason(status)}"]
    if status != 204:
        head.append("Content-Type: application/json")
        head.append(f"Content-Length: {len(body)}")
    head.append("Connection: keep-alive" if keep_alive else "Connection: close")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()
