"""What a Celery broker on Redis holds, read over RESP: the harness needs no Redis client.

kombu's Redis transport keeps each queue as a list named after it, and every message handed to
a worker and not yet acknowledged in the ``unacked`` hash (indexed by ``unacked_index``) until
it is acknowledged or, after the visibility timeout, put back on its queue.
"""

from __future__ import annotations

import socket
from urllib.parse import unquote, urlsplit

from paychaos.errors import ServiceError
from paychaos.services.redis_service import encode_command


def _reply_line(conn: socket.socket, buffer: bytearray) -> bytes:
    while b"\r\n" not in buffer:
        chunk = conn.recv(4096)
        if not chunk:
            raise ServiceError("the broker closed the connection mid-reply")
        buffer.extend(chunk)
    line, _, rest = bytes(buffer).partition(b"\r\n")
    buffer[:] = rest
    return line


def integer_replies(url: str, commands: list[tuple[str, ...]], timeout: float = 2.0) -> list[int]:
    """Run commands that answer an integer (LLEN, ZCARD, HLEN) on the Redis at ``url``."""
    parts = urlsplit(url)
    prelude: list[tuple[str, ...]] = []
    if parts.password:
        prelude.append(("AUTH", unquote(parts.username or "default"), unquote(parts.password)))
    db = (parts.path or "/0").lstrip("/") or "0"
    prelude.append(("SELECT", db))
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    buffer = bytearray()
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(b"".join(encode_command(c) for c in (*prelude, *commands)))
        for command in prelude:
            line = _reply_line(conn, buffer)
            if not line.startswith(b"+"):
                raise ServiceError(f"the broker refused {command[0]}: {line[:80]!r}")
        out = []
        for command in commands:
            line = _reply_line(conn, buffer)
            if not line.startswith(b":"):
                raise ServiceError(f"the broker answered {command[0]} with {line[:80]!r}")
            out.append(int(line[1:]))
    return out


def broker_backlog(url: str, queues: tuple[str, ...]) -> int:
    """Messages waiting on ``queues`` plus those handed out and not yet acknowledged."""
    commands: list[tuple[str, ...]] = [("LLEN", q) for q in queues]
    commands.append(("ZCARD", "unacked_index"))
    counts: list[int] = integer_replies(url, commands)
    return sum(counts)
