"""The final state of a run: what Stripe, the app and the customers' browsers ended up with.

The runner reads it after heal and drain; the invariants judge it. Everything
here is plain frozen data, built by the runner from the emulator, the app
adapter and the websocket observers, so a checker never talks to a service.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PAID_STATUSES = frozenset({"paid", "no_payment_required"})
ACTIVE_STATUSES = frozenset({"active", "trialing"})


@dataclass(frozen=True)
class StripeSession:
    """A Checkout Session as Stripe (the emulator) finally sees it."""

    id: str
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    company_id: str | None = None
    subscription_id: str | None = None
    mode: str = "subscription"
    # What the session charged: the prices of its line items, its total and currency.
    price_ids: tuple[str, ...] = ()
    amount_total: int | None = None
    currency: str | None = None

    @property
    def paid(self) -> bool:
        return self.status == "complete" and self.payment_status in PAID_STATUSES


@dataclass(frozen=True)
class StripeSubscription:
    """A subscription as Stripe finally sees it."""

    id: str
    status: str
    session_id: str | None = None


@dataclass(frozen=True)
class AppSubscription:
    """A subscription row in the app under test."""

    id: str
    company_id: str | None
    checkout_session_id: str | None
    stripe_subscription_id: str | None
    status: str
    # The Stripe price of the plan the app granted (None: the adapter does not read it).
    plan_price_id: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True)
class AppPayment:
    """A payment row in the app under test."""

    id: str
    checkout_session_id: str | None
    amount: int | None = None
    company_id: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt of the emulator to deliver an event to the app's webhook endpoint.

    ``tampering`` names what the emulator deliberately did to this attempt
    (``bad_signature``, ``wrong_secret``, ``stale``, ``replay``, ...), or is None
    for an honest delivery; ``must_reject``: an app that checks signatures refuses it.
    ``dropped`` attempts never reached the app.
    """

    event_id: str
    event_type: str
    attempt: int
    http_status: int | None
    error: str | None = None
    tampering: str | None = None
    dropped: bool = False
    endpoint: str = ""
    must_reject: bool = False
    response_body: str = ""  # the start of a refusal's body

    @property
    def acknowledged(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


@dataclass(frozen=True)
class Notification:
    """A message a customer's browser received over the app's websocket."""

    company_id: str
    kind: str
    session_id: str | None = None
    subscription_id: str | None = None
    time: float = 0.0


@dataclass(frozen=True)
class TaskEffect:
    """One run of a post-activation task that did its work, as the app's database records it."""

    kind: str
    checkout_session_id: str | None
    subscription_id: str | None = None
    company_id: str | None = None
    task_id: str | None = None


@dataclass(frozen=True)
class FinalState:
    """Everything the invariants judge besides the history."""

    sessions: tuple[StripeSession, ...] = ()
    stripe_subscriptions: tuple[StripeSubscription, ...] = ()
    subscriptions: tuple[AppSubscription, ...] = ()
    payments: tuple[AppPayment, ...] = ()
    deliveries: tuple[DeliveryAttempt, ...] = ()
    notifications: tuple[Notification, ...] = ()
    # Companies whose browser had a websocket open during the run (I8 is judged for these).
    observed_companies: frozenset[str] = field(default_factory=frozenset)
    # Whether Redis was healthy at the end (after heal); I8 promises nothing otherwise.
    redis_healthy: bool = True
    # The task side (I9): what tasks follow each activation, what they left, and whether the
    # worker had finished everything queued when the state was read.
    task_kinds: tuple[str, ...] = ()
    task_effects: tuple[TaskEffect, ...] = ()
    tasks_settled: bool = True

    def session(self, session_id: str | None) -> StripeSession | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def stripe_subscription(self, sub_id: str | None) -> StripeSubscription | None:
        return next((s for s in self.stripe_subscriptions if s.id == sub_id), None)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["observed_companies"] = sorted(self.observed_companies)
        return out
