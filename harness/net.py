"""Loopback networking helpers shared by every part of the harness."""

from __future__ import annotations

import atexit
import contextlib
import hmac
import ipaddress
import os
import random
import socket
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port on ``host`` that nothing listens on right now.

    >>> port = free_port()
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# Below the kernel's ephemeral range: a port there is never handed out to an outgoing
# connection or to a bind on port 0, by this harness or by any other program.
_STABLE_LOW = 10000
_EPHEMERAL_RANGE = "/proc/sys/net/ipv4/ip_local_port_range"


def _ephemeral_low() -> int:
    try:
        with open(_EPHEMERAL_RANGE) as fh:
            return int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # the usual default (and IANA's dynamic range starts at 49152)


def stable_port(host: str = LOOPBACK, tries: int = 200) -> int:
    """A free TCP port for a server that stops and starts again on the same port (the app
    server, Postgres and Redis under process faults).

    A port from :func:`free_port` comes from the ephemeral range: while its server is down
    between a stop and a start, any program's outgoing connection or bind on port 0 may take
    it. This one is drawn at random below that range, where only explicit binds land, and is
    reserved for this process (a file in the user's paychaos state folder) until
    :func:`release_port` or the process's exit: another draw, in this process or in another
    paychaos run, never hands it out while its server is still to start or is down.
    """
    low = _ephemeral_low()
    if low - _STABLE_LOW < 1000:
        return free_port(host)
    draw = random.SystemRandom()
    for _ in range(tries):
        port = draw.randrange(_STABLE_LOW, low)
        if not _reserve(port):
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                release_port(port)
                continue
        return port
    return free_port(host)


# The ports this process claimed, with their claim files.
_reserved: dict[int, Path] = {}


def _ports_folder() -> Path:
    from paychaos.services.registry import state_dir

    folder = state_dir() / "ports"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def _reserve(port: int) -> bool:
    """Claim ``port`` for this process; False if a live process holds it already."""
    from paychaos.services.registry import owner_record

    path = _ports_folder() / str(port)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as fh:
        fh.write(owner_record())
    if not _reserved:
        atexit.register(_release_all)
    _reserved[port] = path
    return True


def release_port(port: int) -> None:
    """Give back a port from :func:`stable_port` (its server is gone for good)."""
    path = _reserved.pop(port, None)
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def _release_all() -> None:
    # At exit, where a signal's handler may raise SystemExit in the middle: what is left over
    # goes at the next start's reap, never as a traceback.
    with contextlib.suppress(BaseException):
        for port in list(_reserved):
            release_port(port)


def port_is_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Poll until ``host:port`` accepts connections; False if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_is_open(host, port, timeout=0.2):
            return True
        time.sleep(interval)
    return False


def loopback_host_header(value: str | None) -> bool:
    """True when an HTTP ``Host`` header names this machine by a loopback name or address.

    A page in the user's browser that got its own domain to resolve to 127.0.0.1 (DNS
    rebinding) still sends that domain as the Host: control surfaces refuse it. A missing
    header (HTTP/1.0) names no other site and is accepted.
    """
    if value is None:
        return True
    host = value.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    if host in ("localhost", "localhost.") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_token_matches(authorization: str | None, expected: str) -> bool:
    """True when ``Authorization: Bearer <token>`` carries ``expected`` (compared in constant
    time). Every control surface checks its token with this one function; an empty
    ``expected`` matches nothing."""
    given = (authorization or "").strip()
    if not expected or not given.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(given[7:].strip().encode(), expected.encode())
