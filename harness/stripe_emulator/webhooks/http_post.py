"""A minimal asyncio HTTP/1.1 POST for webhook attempts (one connection per attempt)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024
BODY_KEPT = 500


@dataclass(frozen=True)
class PostResult:
    """What one attempt got back: an HTTP status, or an error text when there was none."""

    status: int | None
    error: str | None
    # The start of the answer's body (what the app said when it refused), for the report.
    body: str = ""


async def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST ``body`` to ``url``; never raises: failures come back as ``PostResult.error``."""
    try:
        return await asyncio.wait_for(_post(url, body, headers), timeout)
    except TimeoutError:
        return PostResult(None, f"timeout after {timeout:g}s")
    except ConnectionRefusedError:
        return PostResult(None, "connection refused")
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        return PostResult(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


async def _post(url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    parts = urlsplit(url)
    if parts.scheme != "http":
        return PostResult(None, f"unsupported URL scheme {parts.scheme!r} (only http)")
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        writer.write("\r\n".join(head).encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        fields = status_line.split(None, 2)
        if len(fields) < 2 or not fields[0].startswith(b"HTTP/"):
            return PostResult(None, f"malformed response status line {status_line[:80]!r}")
        status = int(fields[1])
        length = None
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        # Read the body so the receiver is not cut off mid-response; keep its start as evidence.
        data = b""
        if length is not None:
            data = await reader.readexactly(min(length, MAX_RESPONSE_BYTES))
        return PostResult(status, None, data[:BODY_KEPT].decode("utf-8", "replace"))
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
