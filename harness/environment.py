"""The environment: real services, the Stripe emulator, the fault proxies and the app under test.

Started once, reset (not restarted) between runs. Every connection the app
makes to Postgres, Redis and the Stripe API goes through its own fault proxy,
so a step can break any of them. The environment knows nothing of scenarios:
the runner drives it through the methods below.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from paychaos.app import AppAdapter, AppWiring
from paychaos.errors import ConfigError, PaychaosError
from paychaos.history import History
from paychaos.state import (
    DeliveryAttempt,
    FinalState,
    StripeSession,
    StripeSubscription,
)
from paychaos.stripe_emulator.webhooks.signing import signature_header

if TYPE_CHECKING:
    from paychaos.runner.context import RunContext

NETWORK_TARGETS = ("redis", "postgres", "stripe_api")
NETWORK_FAULTS = (
    "down",
    "latency",
    "blackhole",
    "reset_peer",
    "bandwidth",
    "slicer",
    "limit_data",
    "slow_close",
)
PROCESS_ACTIONS = {
    "redis": ("pause", "resume", "kill", "restart"),
    "postgres": ("terminate_backends", "stop", "start", "kill", "restart"),
    "app": ("crash", "restart"),
}


# The app under test runs with short timeouts: a blackholed Redis or Stripe costs a quarter
# of a second per call instead of several, which is what makes exploration fast. A scenario
# that needs the app's production timeouts says so in its ``app_env``.
FAST_APP_TIMEOUTS = {
    "REDIS_SOCKET_TIMEOUT": "0.25",
    "REDIS_CONNECT_TIMEOUT": "0.25",
    "STRIPE_TIMEOUT": "1",
    "STRIPE_CONNECT_TIMEOUT": "0.5",
    "DB_CONNECT_TIMEOUT": "1",
    "DB_STATEMENT_TIMEOUT_MS": "2000",
    "DB_TCP_USER_TIMEOUT_MS": "2000",
    "NOTIFY_RETRY_INTERVAL": "0.2",
}


@dataclass
class EnvironmentOptions:
    """How to build the environment."""

    variant: str = "correct"
    seed: int = 0
    proxied: bool = True  # route the app's connections through fault proxies
    api_key: str = "sk_test_paychaos"
    # How long Stripe waits for the app to answer a webhook before counting a failure.
    webhook_timeout: float = 5.0
    app_env: dict[str, str] = field(default_factory=lambda: dict(FAST_APP_TIMEOUTS))


class Environment:
    """Owns every process of a paychaos run; use as a context manager."""

    def __init__(
        self, options: EnvironmentOptions | None = None, adapter: AppAdapter | None = None
    ):
        self.options = options or EnvironmentOptions()
        self.variant = self.options.variant
        self._adapter = adapter
        self._stack = contextlib.ExitStack()
        self._history: History | None = None
        self._plans: dict[str, tuple[str, int]] = {}
        self._app_env: dict[str, str] = dict(self.options.app_env)
        self._paused: set[str] = set()
        self._app_dirty = False
        self._down: set[str] = set()
        self.services: Any = None
        self.emulator: Any = None
        self.faults: Any = None
        self.proxies: dict[str, Any] = {}
        self.failpoints: Any = None
        self.observer: Any = None
        self.app: AppAdapter = adapter  # type: ignore[assignment]

    # --- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> Environment:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        from paychaos.app.observer import NotificationObserver
        from paychaos.app.reference import ReferenceAppAdapter
        from paychaos.faults import open_faults
        from paychaos.services import start_services
        from paychaos.stripe_emulator import StripeEmulator

        self.services = self._stack.enter_context(start_services())
        self.emulator = StripeEmulator(
            seed=self.options.seed,
            api_key=self.options.api_key,
            delivery="manual",
            webhook_timeout=self.options.webhook_timeout,
        )
        self.emulator.start()
        self._stack.callback(self.emulator.stop)

        # A real Toxiproxy when PAYCHAOS_TOXIPROXY_URL is set, the embedded one otherwise:
        # the same HTTP API either way. Leaving the context deletes the proxies.
        self.faults = self._stack.enter_context(
            open_faults(seed=self.options.seed, recorder=self._record_nemesis)
        )

        pg, redis = self.services.postgres, self.services.redis
        emu_host, emu_port = _host_port(self.emulator.url)
        upstreams = {
            "redis": f"{redis.host}:{redis.port}",
            "postgres": f"{pg.host}:{pg.port}",
            "stripe_api": f"{emu_host}:{emu_port}",
        }
        if self.options.proxied:
            for name, upstream in upstreams.items():
                self.proxies[name] = self.faults.proxy(name, upstream=upstream)

        token = secrets.token_hex(16)
        if self.app is None:
            self.app = ReferenceAppAdapter()
        self._wiring = AppWiring(
            database_url=self._routed(pg.url, "postgres"),
            redis_url=self._routed(redis.url, "redis"),
            stripe_api_base=self._routed(self.emulator.url, "stripe_api"),
            stripe_secret_key=self.options.api_key,
            stripe_webhook_secret="",
            variant=self.variant,
            failpoints_token=token,
            extra_env=dict(self._app_env),
        )
        self._register_webhook_endpoint()
        self.app.start(self._wiring_now())
        self._stack.callback(getattr(self.app, "close", self.app.stop))
        try:
            from paychaos.failpoints import FailpointClient

            self.failpoints = FailpointClient(self.app.base_url, token)  # type: ignore[attr-defined]
        except ImportError:  # the failpoint library is not installed: races cannot be forced
            self.failpoints = None
        self.observer = NotificationObserver(self.app.websocket_url, self.app.notification_from)
        self._stack.callback(self.observer.close)

    def close(self) -> None:
        self._stack.close()

    def _routed(self, url: str, target: str) -> str:
        """``url`` with its host:port replaced by the target's proxy, when proxied."""
        proxy = self.proxies.get(target)
        if proxy is None:
            return url
        host, port = _host_port(url)
        return url.replace(f"{host}:{port}", f"{proxy.listen_host}:{proxy.listen_port}", 1)

    def _wiring_now(self) -> AppWiring:
        return AppWiring(
            **{**self._wiring.__dict__, "variant": self.variant, "extra_env": dict(self._app_env)}
        )

    def _register_webhook_endpoint(self) -> None:
        form = [("url", self.app.webhook_url)]
        form += [("enabled_events[]", event) for event in self.app.webhook_events]
        endpoint = self.stripe_post("/v1/webhook_endpoints", form)
        self._wiring = AppWiring(
            **{**self._wiring.__dict__, "stripe_webhook_secret": endpoint["secret"]}
        )

    # --- per run ----------------------------------------------------------------------------

    def switch_variant(self, variant: str) -> None:
        """Restart the app server as another variant (same database, same services)."""
        if variant != self.variant:
            self.variant = variant
            self.app.stop()
            self.app.start(self._wiring_now())

    def reset(self, seed: int, app_env: dict[str, str] | None = None) -> None:
        """Make the environment as new: no faults, empty emulator and app, no failpoints."""
        self.heal(None)
        self.observer.forget()
        self.emulator.control.reset(seed=seed)  # forgets delivery policies too
        self._plans.clear()
        # A reset forgets the webhook endpoint; registering it again first thing gives the
        # same seeded secret for the same seed, so the app restarts only when the seed changes.
        secret_before = self._wiring.stripe_webhook_secret
        self._register_webhook_endpoint()
        wanted = {**self.options.app_env, **(app_env or {})}
        restart = self._wiring.stripe_webhook_secret != secret_before
        # heal() above restarted an app left hung or dead by the previous run, and cleared
        # its failpoints. An app (re)started during the last run while faults were on may
        # carry what it saw at start-up (a probe of Redis while Redis was down): start every
        # run from a server started in a healthy world.
        dirty, self._app_dirty = self._app_dirty, False
        if restart or dirty or wanted != self._app_env or not self.app.running:
            self._app_env = wanted
            self.app.stop()
            self.app.start(self._wiring_now())
        self._flush_redis()
        self.app.reset()

    def attach_history(self, history: History | None) -> None:
        self._history = history

    def plan_id(self, name: str, amount: int) -> str:
        """The app's plan sold through a fresh Stripe price (created once per run)."""
        if name not in self._plans:
            product = self.stripe_post("/v1/products", {"name": f"paychaos {name}"})
            price = self.stripe_post(
                "/v1/prices",
                {
                    "product": product["id"],
                    "unit_amount": str(amount),
                    "currency": "usd",
                    "recurring[interval]": "month",
                },
            )
            self._plans[name] = (self.app.create_plan(name, price["id"], amount), price["id"])
        return self._plans[name][0]

    def watch_company(self, company_id: str) -> None:
        self.observer.watch(company_id)

    # --- Stripe -----------------------------------------------------------------------------

    def stripe_post(
        self, path: str, data: dict[str, str] | list[tuple[str, str]]
    ) -> dict[str, Any]:
        response = requests.post(
            self.emulator.url + path, data=data, auth=(self.options.api_key, ""), timeout=10
        )
        if response.status_code >= 400:
            raise PaychaosError(f"the Stripe emulator refused {path}: {response.text[:300]}")
        return response.json()

    def stripe_get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = requests.get(
            self.emulator.url + path, params=params, auth=(self.options.api_key, ""), timeout=10
        )
        response.raise_for_status()
        return response.json()

    def stripe_session(self, session_id: str) -> dict[str, Any]:
        return self.stripe_get(f"/v1/checkout/sessions/{session_id}")

    def _stripe_list(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query = {"limit": "100", **(params or {})}
        while True:
            page = self.stripe_get(path, query)
            items.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                return items
            query["starting_after"] = page["data"][-1]["id"]

    def record_deliveries(self, history: History, attempts: list[dict[str, Any]]) -> None:
        for attempt in attempts:
            history.record("stripe", "webhook", _delivery_value(attempt))

    def post_forged_webhook(
        self, kind: str, session_id: str, event_type: str, company_id: str
    ) -> tuple[int | None, str | None]:
        """POST a webhook the app must refuse, as an attacker (or a stale replay) would."""
        now = int(time.time())
        event: dict[str, Any] = {
            "id": f"evt_forged_{secrets.token_hex(6)}",
            "object": "event",
            "type": event_type,
            "created": now,
            "livemode": False,
            "api_version": "2024-06-20",
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {
                "object": {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": "subscription",
                    "status": "complete",
                    "payment_status": "paid",
                    "customer": "cus_forged",
                    "subscription": "sub_forged",
                    "amount_total": 14900,
                    "currency": "usd",
                    "client_reference_id": company_id,
                    "metadata": {"company_id": company_id},
                }
            },
        }
        # An attacker who started this checkout knows its metadata: copy it, so the app can
        # only refuse the forgery for the right reason (its signature), not for missing fields.
        with contextlib.suppress(Exception):
            known = self.stripe_session(session_id).get("metadata") or {}
            event["data"]["object"]["metadata"] = {**known, "company_id": company_id}
        body = json.dumps(event).encode()
        secret = self._wiring.stripe_webhook_secret
        headers = {"Content-Type": "application/json"}
        if kind == "bad_signature":
            headers["Stripe-Signature"] = f"t={now},v1={secrets.token_hex(32)}"
        elif kind == "wrong_secret":
            headers["Stripe-Signature"] = signature_header(body.decode(), ["whsec_attacker"], now)
        elif kind == "stale":
            headers["Stripe-Signature"] = signature_header(body.decode(), [secret], now - 3600)
        elif kind != "unsigned":
            raise ConfigError(
                f"unknown forgery kind {kind!r}",
                hint="one of: bad_signature, wrong_secret, stale, unsigned",
            )
        try:
            response = requests.post(self.app.webhook_url, data=body, headers=headers, timeout=10)
        except requests.RequestException as exc:
            return None, str(exc)
        return response.status_code, None

    # --- nemesis ----------------------------------------------------------------------------

    def _record_nemesis(self, op: Any) -> None:
        if self._history is not None:
            value = op if isinstance(op, dict) else dict(getattr(op, "__dict__", {}) or {})
            self._history.record(
                "nemesis", "fault", {k: v for k, v in value.items() if k != "time"}
            )

    def network_fault(self, target: str, fault: str, params: dict[str, Any]) -> None:
        if target not in NETWORK_TARGETS:
            raise ConfigError(
                f"unknown fault target {target!r}", hint=f"one of: {', '.join(NETWORK_TARGETS)}"
            )
        if fault not in NETWORK_FAULTS:
            raise ConfigError(
                f"unknown network fault {fault!r}", hint=f"one of: {', '.join(NETWORK_FAULTS)}"
            )
        proxy = self.proxies.get(target)
        if proxy is None:
            raise ConfigError(f"{target} is not behind a fault proxy in this environment")
        try:
            getattr(proxy, fault)(**params)
        except TypeError as exc:
            raise ConfigError(
                f"fault {fault} on {target}: bad parameters {params} ({exc})"
            ) from None

    def process_fault(self, target: str, action: str) -> None:
        if action not in PROCESS_ACTIONS.get(target, ()):
            raise ConfigError(
                f"unknown process fault {target}.{action}",
                hint="; ".join(f"{t}: {', '.join(a)}" for t, a in PROCESS_ACTIONS.items()),
            )
        self._note("process", {"target": target, "action": action})
        if target == "app":
            self._app_dirty = True
            if action == "crash":
                self.app.crash()
            else:
                self.app.restart()
            return
        service = getattr(self.services, target)
        if action == "pause":
            self._paused.add(target)
        elif action == "resume":
            self._paused.discard(target)
        elif action in ("kill", "stop"):
            self._down.add(target)
        elif action in ("restart", "start"):
            self._down.discard(target)
        getattr(service, action)()

    def heal(self, target: str | None) -> None:
        """Remove network faults, Stripe API faults and failpoints; bring stopped processes back.

        Webhook delivery policies stay: a dropped, delayed or reordered delivery is what
        Stripe did, not a fault that heals (the drain releases what is merely late).
        """
        if target in (None, "stripe_api") and self.emulator is not None:
            self.emulator.control.clear_faults(kind="api")
        if self.faults is not None:
            if target is None:
                self.faults.heal_all()
            elif target in self.proxies:
                self.proxies[target].heal()
        for name in list(self._paused):
            if target in (None, name):
                self.services.redis.resume() if name == "redis" else None
                self._paused.discard(name)
        for name in list(self._down):
            if target in (None, name):
                getattr(self.services, name).start()
                self._down.discard(name)
        # Not just "is the process alive": a crashed server may still be exiting, and a hung
        # one is alive but useless. Either way, heal means a server that answers.
        if target in (None, "app") and self.app is not None and not self.app.responsive():
            # After a full heal this start-up sees a healthy world, so the server is as good as
            # new; a partial heal may start it while other faults are still on.
            self._app_dirty = target is not None
            self.app.restart()
        if target is None and self.failpoints is not None:
            with contextlib.suppress(Exception):
                self.failpoints.clear_all()  # paused callers go on
        if self._history is not None:
            self._note("heal", {"target": target})

    def _note(self, name: str, value: dict[str, Any]) -> None:
        if self._history is not None:
            self._history.record("nemesis", name, value)

    def _flush_redis(self) -> None:
        import redis

        client = redis.Redis.from_url(self.services.redis.url, socket_timeout=2)
        try:
            client.flushall()
        finally:
            client.close()

    # --- the end of a run -------------------------------------------------------------------

    def app_settle(self) -> None:
        with contextlib.suppress(Exception):
            self.app.settle()

    def await_notifications(self, ctx: RunContext, timeout: float = 2.0) -> None:
        """Give the browsers a moment to receive what the app has sent for active subscriptions."""
        watched = self.observer.companies
        expected = {
            s.checkout_session_id
            for s in self.app.subscriptions()
            if s.active and s.company_id in watched
        }
        if expected:
            self.observer.wait_for(
                lambda seen: expected <= {n.session_id for n in seen}, timeout=timeout
            )

    def final_state(self, ctx: RunContext) -> FinalState:
        sessions = tuple(
            StripeSession(
                id=s["id"],
                status=s["status"],
                payment_status=s["payment_status"],
                company_id=(s.get("metadata") or {}).get("company_id"),
                subscription_id=_id_of(s.get("subscription")),
                mode=s.get("mode", "subscription"),
            )
            for s in self._stripe_list("/v1/checkout/sessions")
        )
        stripe_subs = tuple(
            StripeSubscription(id=s["id"], status=s["status"])
            for s in self._stripe_list("/v1/subscriptions", {"status": "all"})
        )
        attempts = tuple(_delivery_attempt(d) for d in self.emulator.control.deliveries())
        return FinalState(
            sessions=sessions,
            stripe_subscriptions=stripe_subs,
            subscriptions=tuple(self.app.subscriptions()),
            payments=tuple(self.app.payments()),
            deliveries=attempts,
            notifications=self.observer.notifications(),
            observed_companies=self.observer.companies,
            redis_healthy=not self._paused and "redis" not in self._down,
        )


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", int(parts.port or 0)


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value


# Emulator delivery policies that make an attempt dishonest on purpose (I6 judges these).
TAMPERING_POLICIES = frozenset(
    {
        "bad_signature",
        "wrong_secret",
        "stale",
        "stale_timestamp",
        "replay",
        "stale_replay",
        "unsigned",
    }
)


def _delivery_value(attempt: dict[str, Any]) -> dict[str, Any]:
    keys = ("event_id", "event_type", "attempt", "status", "error", "policy", "delivered")
    return {k: attempt[k] for k in keys if k in attempt}


def _delivery_attempt(raw: dict[str, Any]) -> DeliveryAttempt:
    status = raw.get("status")
    policy = raw.get("policy") or None
    tampering = None
    if policy in TAMPERING_POLICIES:
        tampering = "stale" if policy == "stale_timestamp" else policy
    return DeliveryAttempt(
        event_id=raw["event_id"],
        event_type=raw.get("event_type", ""),
        attempt=int(raw.get("attempt", 1)),
        http_status=status if isinstance(status, int) else None,
        error=raw.get("error"),
        tampering=tampering,
        dropped=bool(policy and str(policy).startswith("drop")),
        endpoint=str(raw.get("endpoint_id", "")),
    )


__all__ = ["Environment", "EnvironmentOptions"]
