"""The app adapter: how paychaos drives an app under test as a browser and Stripe would.

paychaos ships one adapter, for the reference app (``paychaos.reference_app.adapter``).
To test your own Django app, subclass ``AppAdapter`` and implement each method;
the runner needs nothing else from your app. See ``docs/adapter.md``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from paychaos.app.traits import AppTraits
from paychaos.state import AppPayment, AppSubscription, Notification, TaskEffect


@dataclass(frozen=True)
class AppWiring:
    """Where the app under test connects. Each URL may point at a fault proxy, not the real service."""

    database_url: str
    redis_url: str
    stripe_api_base: str
    stripe_secret_key: str
    stripe_webhook_secret: str
    variant: str = "correct"
    failpoints_token: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # The app's database straight, not through the fault proxy: where an adapter reads the
    # app's rows for the checkers, so a fault on the app's link never hides the truth.
    direct_database_url: str | None = None
    # The task broker (Celery on Redis), through its own fault proxy, and straight (where the
    # harness looks at the queue); None when the environment offers none.
    broker_url: str | None = None
    direct_broker_url: str | None = None


@dataclass(frozen=True)
class ValidateAnswer:
    """What the success page got from validate, and what it showed the customer (``told``).

    ``told`` is None only when the page showed nothing decisive (e.g. a spinner while
    the request hangs); an HTTP error is rendered as the app's own page would render it.
    """

    told: str | None
    http_status: int | None = None
    body: dict[str, Any] | None = None
    error: str | None = None


class AppAdapter(ABC):
    """The protocol between the harness and one app under test.

    Lifecycle: ``start(wiring)`` once per environment (migrations included),
    ``reset()`` before every run (cheap: truncate, do not restart), ``stop()`` at
    the end. ``crash()`` and ``restart()`` serve process faults.
    """

    name: str = "app"
    #: What the app does (the events it fulfils on, payment rows, notifications, Redis):
    #: promises that do not apply to it are reported "n/a" with the reason.
    traits: AppTraits = AppTraits()

    @abstractmethod
    def start(self, wiring: AppWiring) -> None:
        """Start the app server against ``wiring`` and wait until it answers."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the app server; nothing of it may keep running."""

    @abstractmethod
    def crash(self) -> None:
        """Kill the app server with SIGKILL, mid-request if one is running."""

    @abstractmethod
    def restart(self, extra_env: dict[str, str] | None = None) -> None:
        """Start the app server again (after a crash, or with other settings)."""

    @property
    @abstractmethod
    def running(self) -> bool:
        """Whether the app server process is alive."""

    #: The event types the app's Stripe webhook endpoint is registered for, as a real
    #: deployment configures it in the Stripe dashboard ("*": everything).
    webhook_events: tuple[str, ...] = ("*",)
    #: The API version the app's webhook endpoint is created with, as the app's Stripe account
    #: is set up (an app written against one version gets its events rendered in it); None:
    #: the account's default, the newest version the emulator knows.
    webhook_api_version: str | None = None

    def responsive(self) -> bool:
        """Whether the app server is alive and answers promptly (a hung app gets restarted)."""
        return self.running

    @property
    @abstractmethod
    def webhook_url(self) -> str:
        """The URL Stripe must POST webhooks to."""

    @abstractmethod
    def reset(self) -> None:
        """Forget every company, plan, subscription and payment (between runs)."""

    @abstractmethod
    def create_company(self, name: str) -> str:
        """Create a customer company; return the app's id for it."""

    @abstractmethod
    def create_plan(self, name: str, stripe_price_id: str, amount: int) -> str:
        """Create a plan sold through ``stripe_price_id``; return the app's id for it."""

    @abstractmethod
    def create_checkout(self, company_id: str, plan_id: str) -> str:
        """Ask the app for a Checkout Session as the browser does; return the session id."""

    @abstractmethod
    def validate(self, session_id: str, timeout: float = 5.0) -> ValidateAnswer:
        """Call validate as the success page does, and say what the page showed."""

    @abstractmethod
    def subscriptions(self) -> list[AppSubscription]:
        """Every subscription the app holds (read straight from its database)."""

    @abstractmethod
    def payments(self) -> list[AppPayment]:
        """Every payment the app recorded."""

    @abstractmethod
    def subscription_status(self, company_id: str) -> dict[str, Any]:
        """What the account page shows: at least ``status`` and, if known, ``session``."""

    # --- an untrusted browser (``traits.untrusted_client``) -----------------------------------

    def validate_as(
        self,
        session_id: str,
        *,
        signed_in: str | None = None,
        plan_id: str | None = None,
        timeout: float = 5.0,
    ) -> ValidateAnswer:
        """Call validate as an edited browser would: signed in as company ``signed_in`` (which
        may not be the session's), naming plan ``plan_id`` beside the session id (as a success
        URL's query may). ``told`` as for ``validate``."""
        raise NotImplementedError(f"{type(self).__name__} cannot send an edited validate")

    def checkout_as(
        self, company_id: str, plan_id: str, *, signed_in: str, amount: int | None = None
    ) -> str:
        """Ask for a Checkout Session as an edited browser would: signed in as ``signed_in``,
        asking for ``company_id`` (maybe another company) and ``plan_id``, naming a price
        ``amount`` of its own; return the session id (raise if the app refuses)."""
        raise NotImplementedError(f"{type(self).__name__} cannot send an edited checkout")

    def subscription_status_as(self, company_id: str, *, signed_in: str | None) -> dict[str, Any]:
        """Read ``company_id``'s account page as the browser of ``signed_in`` (maybe another
        company; None: a browser where no one is signed in): ``http_status`` and what it shows
        (``status``, ``session``, ``subscription_id``)."""
        raise NotImplementedError(f"{type(self).__name__} cannot send an edited account read")

    # --- the success page in a real browser (``--browser``) ----------------------------------

    #: How to read what the success page shows: outcome ("success", "failed", ...) -> a
    #: Playwright selector visible when the page shows it, e.g. ``"text=Payment failed"``.
    #: Nothing shown within ``page_timeout`` seconds, or the page asking validate again,
    #: reads as "pending" (the page is still confirming).
    page_outcome: Mapping[str, str] = {}
    page_timeout: float = 5.0

    def success_page_url(self, session_id: str) -> str | None:
        """The page Checkout sends the customer back to for ``session_id`` (None: unknown,
        so ``--browser`` cannot be used with this app)."""
        return None

    def page_model(self, http_status: int | None, body: dict[str, Any] | None) -> str | None:
        """What this adapter's model of the success page says it shows for validate's answer
        (what ``validate`` reports as ``told``); under ``--browser`` it is recorded beside what
        the real page showed. None: no model."""
        return None

    def websocket_url(self, company_id: str) -> str | None:
        """Where a browser of ``company_id`` listens for notifications (None: the app has none)."""
        return None

    def notification_from(self, company_id: str, message: dict[str, Any]) -> list[Notification]:
        """Turn one websocket message into the activations it announces."""
        return []

    def log_position(self) -> int:
        """A mark in the app server's log (e.g. its size), for ``log_since``; 0 without a log."""
        return 0

    def log_since(self, position: int) -> str:
        """What the app server logged after ``position``: the evidence beside a failed call."""
        return ""

    def settle(self) -> None:
        """Let the app finish deferred work once faults are healed (e.g. drain an outbox)."""
        return None

    # --- the task side (optional): a worker that runs the work following an activation ------
    # An app with tasks names them in ``traits.task_kinds`` and implements these; the defaults
    # describe an app without a worker. See docs/adapter.md, "The task side".

    @property
    def has_worker(self) -> bool:
        """Whether the app has a task worker the harness runs (and the nemesis may break)."""
        return False

    def start_worker(self) -> None:
        """Start the worker (if it is not running) and wait until it consumes."""
        return None

    def stop_worker(self) -> None:
        """Stop the worker cleanly (a warm shutdown); nothing of it may keep running."""
        return None

    def kill_worker(self) -> None:
        """SIGKILL the worker and everything it started, mid-task if one is running."""
        return None

    def pause_worker(self) -> None:
        """SIGSTOP the worker (a stalled host)."""
        return None

    def resume_worker(self) -> None:
        """SIGCONT a paused worker."""
        return None

    @property
    def worker_running(self) -> bool:
        return False

    def worker_busy(self) -> bool | None:
        """Whether the worker is inside a task now (None: the adapter cannot tell)."""
        return None

    def wait_tasks_idle(self, timeout: float) -> bool:
        """Block until nothing is queued, nothing unacknowledged and no task running (after heal);
        False when ``timeout`` passed first."""
        return True

    def resend_owed_tasks(self) -> None:
        """Once the worker is idle (nothing queued or running): have the app publish again
        every task it still owes, e.g. an outbox row not done because the broker lost it."""
        return None

    def task_effects(self) -> list[TaskEffect]:
        """Every effect a task left (one per run that did its work), read from the database."""
        return []
