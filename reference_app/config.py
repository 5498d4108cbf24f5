"""The reference app's whole configuration, read from the environment and checked once.

Every setting comes from an environment variable so the harness can route each
connection (Postgres, Redis, the Stripe API) through its own fault proxy. A
missing or malformed setting stops the process at start-up with one line on
stderr (``load_config_or_exit``), never a traceback at the first request.

>>> cfg = load_config({
...     "DATABASE_URL": "postgresql://u:p@127.0.0.1:5432/db",
...     "REDIS_URL": "redis://127.0.0.1:6379/0",
...     "STRIPE_API_BASE": "http://127.0.0.1:12111",
...     "STRIPE_SECRET_KEY": "sk_test_x",
...     "STRIPE_WEBHOOK_SECRET": "whsec_x",
... })
>>> cfg.variant, cfg.webhook_tolerance
('correct', 300)
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from paychaos.reference_app.payments.variants.names import VARIANT_NAMES


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message names it and says what to do."""


@dataclass(frozen=True)
class DatabaseSettings:
    """Where Postgres is, parsed from ``DATABASE_URL``."""

    name: str
    user: str
    password: str
    host: str
    port: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AppConfig:
    """Every setting of the reference app, validated."""

    database: DatabaseSettings
    redis_url: str
    stripe_api_base: str
    stripe_secret_key: str
    stripe_webhook_secret: str
    variant: str = "correct"
    webhook_tolerance: int = 300
    stripe_timeout: float = 5.0
    stripe_connect_timeout: float = 2.0
    stripe_max_network_retries: int = 0
    redis_socket_timeout: float = 1.0
    redis_connect_timeout: float = 1.0
    redis_receive_socket_timeout: float = 10.0
    db_connect_timeout: int = 3
    db_statement_timeout_ms: int = 5000
    db_tcp_user_timeout_ms: int = 5000
    notify_retry_interval: float = 1.0
    ws_group_check_interval: float = 0.5
    # The task side (Celery on Redis); None: no broker, no tasks dispatched.
    broker_url: str | None = None
    broker_socket_timeout: float = 1.0
    broker_connect_timeout: float = 1.0
    # An unacknowledged message goes back to the queue after this long (kombu's Redis transport).
    broker_visibility_timeout: float = 3600.0
    # ``kind:point:seconds``: the first run of task ``kind`` sleeps at ``point`` (before_effect,
    # after_effect), so a worker can be killed or overtaken mid-task. Empty: no hold.
    task_hold: str = ""
    # An outbox row published this long ago and still not done is published again.
    task_republish_after: float = 5.0
    failpoints_enabled: bool = False
    # What the harness's endpoints (/api/_internal/) demand; empty, they answer nobody.
    control_token: str = ""
    public_url: str | None = None
    secret_key: str = "paychaos-reference-app-not-a-secret"
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "testserver", "[::1]")


_REQUIRED = (
    "DATABASE_URL",
    "REDIS_URL",
    "STRIPE_API_BASE",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
)


def parse_database_url(url: str) -> DatabaseSettings:
    """Parse ``postgresql://user:pass@host:port/name?host=/socket/dir&sslmode=...``.

    A ``host`` query parameter (a Unix socket folder, as pgserver hands out) wins
    over the network location; other query parameters pass through to libpq.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ConfigurationError(
            f"DATABASE_URL must start with postgresql:// (got {parts.scheme or 'no'} scheme)"
        )
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None) or parts.hostname or ""
    try:
        port = str(parts.port or query.pop("port", "") or "")
    except ValueError as exc:
        raise ConfigurationError(f"DATABASE_URL has a bad port: {exc}") from None
    name = unquote(parts.path.lstrip("/")) or query.pop("dbname", "")
    if not name:
        raise ConfigurationError("DATABASE_URL names no database (postgresql://host:port/NAME)")
    return DatabaseSettings(
        name=name,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=host,
        port=port,
        options=tuple(sorted(query.items())),
    )


def _number(env: Mapping[str, str], key: str, default: float, kind: type = float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{key} must be a {kind.__name__} (got {raw!r})") from None
    if value < 0:
        raise ConfigurationError(f"{key} must not be negative (got {raw!r})")
    return value


def _flag(env: Mapping[str, str], key: str) -> bool:
    raw = env.get(key, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{key} must be 1/0, true/false, yes/no or on/off (got {raw!r})")


def load_config(env: Mapping[str, str]) -> AppConfig:
    """Read and check every setting; raise ``ConfigurationError`` naming the first bad one."""
    missing = [key for key in _REQUIRED if not env.get(key)]
    if missing:
        raise ConfigurationError(
            f"missing setting(s): {', '.join(missing)} (set them in the environment)"
        )
    variant = env.get("PAYMENTS_VARIANT") or "correct"
    if variant not in VARIANT_NAMES:
        raise ConfigurationError(
            f"PAYMENTS_VARIANT={variant!r} is not a known variant; choose one of: "
            + ", ".join(VARIANT_NAMES)
        )
    redis_url = env["REDIS_URL"]
    if urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigurationError(f"REDIS_URL must start with redis:// (got {redis_url!r})")
    broker_url = env.get("BROKER_URL") or None
    if broker_url and urlsplit(broker_url).scheme not in ("redis", "rediss"):
        raise ConfigurationError(f"BROKER_URL must start with redis:// (got {broker_url!r})")
    api_base = env["STRIPE_API_BASE"].rstrip("/")
    if urlsplit(api_base).scheme not in ("http", "https") or not urlsplit(api_base).netloc:
        raise ConfigurationError(f"STRIPE_API_BASE must be an http(s) URL (got {api_base!r})")
    public_url = env.get("APP_PUBLIC_URL") or None
    hosts = tuple(h for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip())
    failpoints = _flag(env, "PAYCHAOS_FAILPOINTS")
    if failpoints and not env.get("PAYCHAOS_FAILPOINTS_TOKEN"):
        raise ConfigurationError(
            "PAYCHAOS_FAILPOINTS is on but PAYCHAOS_FAILPOINTS_TOKEN is not set (the control endpoint needs it)"
        )
    return AppConfig(
        database=parse_database_url(env["DATABASE_URL"]),
        redis_url=redis_url,
        stripe_api_base=api_base,
        stripe_secret_key=env["STRIPE_SECRET_KEY"],
        stripe_webhook_secret=env["STRIPE_WEBHOOK_SECRET"],
        variant=variant,
        webhook_tolerance=int(_number(env, "STRIPE_WEBHOOK_TOLERANCE", 300, int)),
        stripe_timeout=_number(env, "STRIPE_TIMEOUT", 5.0),
        stripe_connect_timeout=_number(env, "STRIPE_CONNECT_TIMEOUT", 2.0),
        stripe_max_network_retries=int(_number(env, "STRIPE_MAX_NETWORK_RETRIES", 0, int)),
        redis_socket_timeout=_number(env, "REDIS_SOCKET_TIMEOUT", 1.0),
        redis_connect_timeout=_number(env, "REDIS_CONNECT_TIMEOUT", 1.0),
        redis_receive_socket_timeout=_number(env, "REDIS_RECEIVE_SOCKET_TIMEOUT", 10.0),
        db_connect_timeout=int(_number(env, "DB_CONNECT_TIMEOUT", 3, int)),
        db_statement_timeout_ms=int(_number(env, "DB_STATEMENT_TIMEOUT_MS", 5000, int)),
        db_tcp_user_timeout_ms=int(_number(env, "DB_TCP_USER_TIMEOUT_MS", 5000, int)),
        notify_retry_interval=_number(env, "NOTIFY_RETRY_INTERVAL", 1.0),
        ws_group_check_interval=_number(env, "WS_GROUP_CHECK_INTERVAL", 0.5),
        broker_url=broker_url,
        broker_socket_timeout=_number(env, "BROKER_SOCKET_TIMEOUT", 1.0),
        broker_connect_timeout=_number(env, "BROKER_CONNECT_TIMEOUT", 1.0),
        broker_visibility_timeout=_number(env, "BROKER_VISIBILITY_TIMEOUT", 3600.0),
        task_hold=_task_hold(env.get("TASK_HOLD", "")),
        task_republish_after=_number(env, "TASK_REPUBLISH_AFTER", 5.0),
        failpoints_enabled=failpoints,
        control_token=env.get("PAYCHAOS_FAILPOINTS_TOKEN", ""),
        public_url=public_url.rstrip("/") if public_url else None,
        secret_key=env.get("DJANGO_SECRET_KEY") or AppConfig.secret_key,
        allowed_hosts=hosts or AppConfig.allowed_hosts,
    )


TASK_HOLD_POINTS = ("before_effect", "after_effect")


def _task_hold(value: str) -> str:
    """``kind:point:seconds`` checked, or empty."""
    if not value:
        return ""
    parts = value.split(":")
    try:
        ok = len(parts) == 3 and parts[1] in TASK_HOLD_POINTS and float(parts[2]) >= 0
    except ValueError:
        ok = False
    if not ok:
        raise ConfigurationError(
            f"TASK_HOLD={value!r} is not kind:point:seconds with point one of "
            + ", ".join(TASK_HOLD_POINTS)
        )
    return value


def load_config_or_exit(env: Mapping[str, str]) -> AppConfig:
    """``load_config``, but a bad setting prints one line on stderr and exits with status 2."""
    try:
        return load_config(env)
    except ConfigurationError as exc:
        print(f"reference_app: configuration error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
