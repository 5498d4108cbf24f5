"""The environment: real services, the Stripe emulator, the fault proxies and the app under test.

Started once, reset (not restarted) between runs. Every connection the app
makes to Postgres, Redis and the Stripe API goes through its own fault proxy,
so a step can break any of them. The environment wires the parts and owns their
lifecycle; the nemesis (``paychaos.nemesis``) breaks and heals them, and
``paychaos.final_state`` reads what they hold at the end. It knows nothing of
scenarios and writes no history: the runner drives it and records what happened.

>>> with Environment(EnvironmentOptions(), adapter=my_adapter) as env:   # doctest: +SKIP
...     run_scenario(env, scenario)
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from paychaos.app import AppAdapter, AppWiring
from paychaos.errors import ConfigError, EnvironmentFailed, PaychaosError
from paychaos.nemesis import Nemesis
from paychaos.net import LOOPBACK, release_port, stable_port
from paychaos.state import FinalState
from paychaos.stripe_rest import StripeRest

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
    # The task broker: a blackholed one costs a publish a quarter of a second; a message a
    # killed worker took comes back after 2 s, and an outbox row not done is sent again then.
    "BROKER_SOCKET_TIMEOUT": "0.25",
    "BROKER_CONNECT_TIMEOUT": "0.25",
    "BROKER_VISIBILITY_TIMEOUT": "2",
    "TASK_REPUBLISH_AFTER": "2",
}
# The broker's Redis database (the Channels layer uses 0 on the same server).
BROKER_DB = 1


def new_api_key() -> str:
    """A random secret key shaped as Stripe's test keys (``sk_test_`` and 32 letters or digits).

    Each environment has its own, as it has its own webhook secret (the emulator derives
    those from a random key of its own): neither can be guessed or computed from the seed,
    and no run depends on their values, so a replay needs neither.
    """
    return "sk_test_" + secrets.token_hex(16)


@dataclass
class EnvironmentOptions:
    """How to build the environment."""

    variant: str = "correct"
    seed: int = 0
    proxied: bool = True  # route the app's connections through fault proxies
    api_key: str = field(default_factory=new_api_key)
    # How long Stripe waits for the app to answer a webhook before counting a failure.
    webhook_timeout: float = 5.0
    app_env: dict[str, str] = field(default_factory=lambda: dict(FAST_APP_TIMEOUTS))
    # Validate through the app's own success page in headless Chromium (``paychaos.browser``)
    # instead of the adapter's model of it.
    browser: bool = False


class Environment:
    """Owns every process of a paychaos run; use as a context manager.

    ``adapter`` is the app under test: the composition root (the CLI, the pytest plugin)
    chooses it; the environment never picks one itself.
    """

    def __init__(self, options: EnvironmentOptions | None, adapter: AppAdapter):
        if adapter is None:
            raise ConfigError(
                "no app under test was given to the environment",
                hint="pass the adapter of the app to test (e.g. paychaos.reference_app.adapter)",
            )
        self.options = options or EnvironmentOptions()
        self.variant = self.options.variant
        self.app: AppAdapter = adapter
        self._stack = contextlib.ExitStack()
        self._plans: dict[str, tuple[str, str]] = {}
        self._app_env: dict[str, str] = dict(self.options.app_env)
        self.services: Any = None
        self.emulator: Any = None
        self.stripe: StripeRest = None  # type: ignore[assignment]  # set by start()
        self.webhook_api_version = ""  # set by start(): the version of the app's endpoint
        self.faults: Any = None
        self.proxies: dict[str, Any] = {}
        self.failpoints: Any = None
        self.observer: Any = None
        self.nemesis: Nemesis = None  # type: ignore[assignment]  # set by start()
        self.browser: Any = None  # the customer's browser, under ``options.browser``
        self._tasks_settled = True

    # --- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> Environment:
        try:
            self.start()
        except PaychaosError as exc:
            # A part that would not start (the app's server, its worker) because the harness's
            # own Postgres or Redis died meanwhile: that death is what to report.
            dead = self._failure_quietly()
            self.close()
            if dead is not None:
                raise dead from exc
            raise
        except BaseException:
            self.close()
            raise
        return self

    def _failure_quietly(self) -> EnvironmentFailed | None:
        try:
            return self.failure()
        except Exception:  # half-started: whatever cannot be asked is not the answer
            return None

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if self.options.browser:
            self._start_browser()  # first: a missing browser is said before anything starts
        from paychaos.app.observer import NotificationObserver
        from paychaos.failpoints import FailpointClient
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
        self.stripe = StripeRest(
            self.emulator.url, self.options.api_key, harness_token=self.emulator.control_token
        )
        self._stack.callback(self.stripe.close)

        # A real Toxiproxy when PAYCHAOS_TOXIPROXY_URL is set, the embedded one otherwise:
        # the same HTTP API either way. Leaving the context deletes the proxies. What the
        # fault layer switches on or off reaches the nemesis, which hands it to the runner.
        self.faults = self._stack.enter_context(
            open_faults(seed=self.options.seed, recorder=self._fault_op)
        )

        pg, redis = self.services.postgres, self.services.redis
        emu_host, emu_port = _host_port(self.emulator.url)
        # The broker is the same Redis server as the Channels layer, behind a proxy of its own:
        # a network fault can hit one and not the other (a process fault on Redis hits both,
        # as it would in production).
        upstreams = {
            "redis": f"{redis.host}:{redis.port}",
            "broker": f"{redis.host}:{redis.port}",
            "postgres": f"{pg.host}:{pg.port}",
            "stripe_api": f"{emu_host}:{emu_port}",
        }
        if self.options.proxied:
            for name, upstream in upstreams.items():
                # A "down" fault stops its listener and healing listens again on the same
                # port: a stable one, so no other program takes it in between.
                port = stable_port()
                self._stack.callback(release_port, port)
                listen = f"{LOOPBACK}:{port}"
                self.proxies[name] = self.faults.proxy(name, upstream=upstream, listen=listen)

        token = secrets.token_hex(16)
        self._wiring = AppWiring(
            database_url=self._routed(pg.url, "postgres"),
            redis_url=self._routed(redis.url, "redis"),
            stripe_api_base=self._routed(self.emulator.url, "stripe_api"),
            stripe_secret_key=self.options.api_key,
            stripe_webhook_secret="",
            variant=self.variant,
            failpoints_token=token,
            extra_env=dict(self._app_env),
            direct_database_url=pg.url,
            broker_url=_with_db(self._routed(redis.url, "broker"), BROKER_DB),
            direct_broker_url=_with_db(redis.url, BROKER_DB),
        )
        self._register_webhook_endpoint()
        # Closed even if its start is cut short (SIGTERM while it migrates or boots): its
        # log folder and server go with the environment, not at the next start.
        self._stack.callback(getattr(self.app, "close", self.app.stop))
        self.app.start(self._wiring_now())
        self.failpoints = FailpointClient(self.app.base_url, token)  # type: ignore[attr-defined]
        self.observer = NotificationObserver(self.app.websocket_url, self.app.notification_from)
        self._stack.callback(self.observer.close)
        self.nemesis = Nemesis(
            services=self.services,
            app=self.app,
            proxies=self.proxies,
            faults=self.faults,
            emulator_control=self.emulator.control,
            failpoints=self.failpoints,
        )

    def _start_browser(self) -> None:
        from paychaos.app import AppAdapter
        from paychaos.browser import CustomerBrowser

        if (
            type(self.app).success_page_url is AppAdapter.success_page_url
            or not self.app.page_outcome
        ):
            raise ConfigError(
                f"--browser: the adapter {type(self.app).__name__} names no success page",
                hint="give the adapter success_page_url(session_id) and page_outcome "
                "(see docs/adapter.md), or leave --browser out",
            )
        browser = CustomerBrowser()
        browser.start()
        self._stack.callback(browser.close)
        self.browser = browser

    def close(self) -> None:
        self._stack.close()
        self.browser = None

    def _fault_op(self, op: Any) -> None:
        if self.nemesis is not None:
            self.nemesis.on_fault_op(op)

    def _routed(self, url: str, target: str) -> str:
        """``url`` with its host:port replaced by the target's proxy, when proxied."""
        proxy = self.proxies.get(target)
        if proxy is None:
            return url
        parts = urlsplit(url)
        userinfo, at, _ = parts.netloc.rpartition("@")  # the credentials go along
        netloc = f"{userinfo}{at}{proxy.listen_host}:{proxy.listen_port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def _wiring_now(self) -> AppWiring:
        return AppWiring(
            **{**self._wiring.__dict__, "variant": self.variant, "extra_env": dict(self._app_env)}
        )

    @property
    def webhook_secret(self) -> str:
        """The signing secret of the app's webhook endpoint (what a forger does not have)."""
        return self._wiring.stripe_webhook_secret

    def _register_webhook_endpoint(self) -> None:
        form = [("url", self.app.webhook_url)]
        form += [("enabled_events[]", event) for event in self.app.webhook_events]
        if self.app.webhook_api_version:
            form.append(("api_version", self.app.webhook_api_version))
        endpoint = self.stripe.post("/v1/webhook_endpoints", form)
        # The version Stripe renders this endpoint's events in (a forgery claims the same).
        self.webhook_api_version = endpoint["api_version"]
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
        # What a heal before the run did is nobody's history. The emulator's reset just below
        # forgets its API faults (and delivery policies): the heal leaves them to it.
        self.nemesis.heal(None, api_faults=False)
        self.observer.forget()
        self.emulator.control.reset(seed=seed)
        self._plans.clear()
        # A reset forgets the webhook endpoint; registering it again first thing gives the
        # same seeded secret for the same seed, so the app restarts only when the seed changes.
        secret_before = self._wiring.stripe_webhook_secret
        self._register_webhook_endpoint()
        wanted = {**self.options.app_env, **(app_env or {})}
        restart = self._wiring.stripe_webhook_secret != secret_before
        # The heal above restarted an app left hung or dead by the previous run, and cleared
        # its failpoints. An app (re)started during the last run while faults were on may
        # carry what it saw at start-up (a probe of Redis while Redis was down): start every
        # run from a server started in a healthy world.
        dirty = self.nemesis.take_app_dirty()
        worker_dirty = self.nemesis.take_worker_dirty()
        if worker_dirty or not self._tasks_settled or wanted != self._app_env:
            # A worker the last run broke, or one still busy when its wait ended (its work
            # would land in this run), starts this run afresh.
            self.app.stop_worker()
        self._tasks_settled = True
        if restart or dirty or wanted != self._app_env or not self.app.running:
            self._app_env = wanted
            self.app.stop()
            self.app.start(self._wiring_now())
        self.services.redis.flush_all()
        self.app.reset()
        self.app.start_worker()  # after the flush and the truncation: nothing left to run

    def plan_id(self, name: str, amount: int) -> str:
        """The app's plan sold through a fresh Stripe price (created once per run)."""
        if name not in self._plans:
            product = self.stripe.post("/v1/products", {"name": f"paychaos {name}"})
            price = self.stripe.post(
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

    def app_setting(self, name: str) -> str | None:
        """The value of one of the app's environment settings in force this run, if set."""
        return self._app_env.get(name)

    def plan_price_id(self, name: str) -> str | None:
        """The Stripe price the harness created for plan ``name`` this run, if any."""
        return self._plans[name][1] if name in self._plans else None

    def watch_company(self, company_id: str) -> None:
        self.observer.watch(company_id)

    # --- the harness's own health ------------------------------------------------------------

    def failure(self) -> EnvironmentFailed | None:
        """The part of the harness's own environment that died or stopped answering (its
        Postgres, its Redis, the emulator, the app server), named with its log tail; None
        when all is well. A service a fault stopped on purpose and no heal restarted yet is
        not a failure."""
        on_purpose = self.nemesis.stopped_on_purpose() if self.nemesis is not None else set()
        for name in ("postgres", "redis"):
            try:
                server = getattr(self.services, name) if self.services is not None else None
            except PaychaosError:  # not started in this environment
                server = None
            if server is None or name in on_purpose:
                continue
            why = server.problem()
            if why:
                return EnvironmentFailed(server.what, why, log_tail=server.log_tail())
        if self.emulator is not None and not self.emulator.running:
            return EnvironmentFailed(
                "Stripe emulator", "its server thread ended", hint="run the command again"
            )
        if self.nemesis is not None and not self.app.running:
            tail = getattr(self.app, "log_tail", lambda *a: "")(1500)
            return EnvironmentFailed(
                f"app server ({type(self.app).__name__})",
                "it is not running and heal could not bring it back",
                log_tail=tail,
            )
        return None

    # --- the end of a run -------------------------------------------------------------------

    def app_settle(self) -> None:
        with contextlib.suppress(Exception):
            self.app.settle()

    def await_notifications(self, timeout: float = 2.0) -> None:
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

    def settle_tasks(self, timeout: float = 15.0) -> bool:
        """After heal: wait until the worker has run everything queued, let the app send again
        what it still owes (a message the broker lost), wait again. False (and the final state
        says so) when the worker never went idle."""
        settled = False
        with contextlib.suppress(Exception):
            if self.app.wait_tasks_idle(timeout):
                self.app.resend_owed_tasks()
                settled = self.app.wait_tasks_idle(timeout)
        self._tasks_settled = settled or not self.app.has_worker
        return self._tasks_settled

    def final_state(self) -> FinalState:
        """What Stripe, the app and the browsers hold now (after heal and drain)."""
        from paychaos.final_state import collect_final_state

        return collect_final_state(
            self.stripe,
            self.emulator.control.deliveries(),
            self.app,
            self.observer,
            redis_healthy=self.nemesis.redis_healthy,
            tasks_settled=self._tasks_settled,
        )


def _with_db(url: str, db: int) -> str:
    """A Redis URL naming database ``db``."""
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", int(parts.port or 0)


__all__ = ["Environment", "EnvironmentOptions"]
