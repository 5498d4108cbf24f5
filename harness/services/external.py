"""External services: servers someone else runs, named by URL.

``PAYCHAOS_DATABASE_URL`` and ``PAYCHAOS_REDIS_URL`` replace the embedded
Postgres and Redis. paychaos only checks that they answer; it never starts,
stops or signals them.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from paychaos.errors import ConfigError, PaychaosError, ServiceError

DATABASE_URL_ENV = "PAYCHAOS_DATABASE_URL"
REDIS_URL_ENV = "PAYCHAOS_REDIS_URL"
REACH_TIMEOUT = 2.0  # seconds: a server on this machine or LAN answers far sooner


@dataclass(frozen=True)
class ServerAddress:
    """The parts of a service URL the harness needs."""

    url: str
    host: str
    port: int
    dbname: str
    user: str


def parse_postgres_url(url: str, setting: str = DATABASE_URL_ENV) -> ServerAddress:
    """Split a ``postgresql://user@host:port/dbname`` URL; ConfigError if malformed."""
    parts = _split(url, ("postgres", "postgresql"), setting, "postgresql://USER@HOST:5432/DBNAME")
    dbname = unquote(parts.path.lstrip("/"))
    return ServerAddress(
        url=url,
        host=parts.hostname or "localhost",
        port=_port(parts, 5432, setting, url),
        dbname=dbname or unquote(parts.username or "postgres"),
        user=unquote(parts.username or "postgres"),
    )


def parse_redis_url(url: str, setting: str = REDIS_URL_ENV) -> ServerAddress:
    """Split a ``redis://host:port/db`` URL; ConfigError if malformed."""
    parts = _split(url, ("redis", "rediss"), setting, "redis://HOST:6379/0")
    return ServerAddress(
        url=url,
        host=parts.hostname or "localhost",
        port=_port(parts, 6379, setting, url),
        dbname=parts.path.lstrip("/") or "0",
        user=unquote(parts.username or ""),
    )


def check_reachable(address: ServerAddress, what: str, setting: str) -> None:
    """ServiceError naming the URL if nothing accepts TCP connections there within a short timeout."""
    try:
        with socket.create_connection((address.host, address.port), timeout=REACH_TIMEOUT):
            return
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ServiceError(
            f"cannot reach {what} at {address.url} ({reason})",
            hint=f"start that server, fix {setting}, or unset {setting} to use the embedded {what}",
        ) from exc


def not_for_external(action: str, what: str, url: str, setting: str) -> PaychaosError:
    """The error a process fault raises on a server paychaos does not own."""
    return PaychaosError(
        f"{action} is not available for an external service ({what} at {url})",
        hint=f"unset {setting} so paychaos starts its own {what}, whose process it controls",
    )


def _split(url: str, schemes: tuple[str, ...], setting: str, example: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise ConfigError(f"{setting}={url!r} is not a valid URL", hint=f"use the form {example}")
    return parts


def _port(parts: SplitResult, default: int, setting: str, url: str) -> int:
    try:
        return parts.port or default
    except ValueError as exc:
        raise ConfigError(
            f"{setting}={url!r} has an invalid port", hint="use a number 1-65535"
        ) from exc
