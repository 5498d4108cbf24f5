"""What every variant implements, and the small pieces they share.

A variant owns the payments logic behind the thin views: receive a webhook
(verify, then handle the event), validate a session for the success page,
fulfil, notify. ``Variant`` gives the defaults the incident's code had
(no outbox to drain, nothing to replay); ``CorrectVariant`` overrides them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.conf import settings
from django.db import connection

from paychaos.reference_app.payments.models import AuditLog

log = logging.getLogger("paychaos.reference_app.payments")

PAID_STATUSES = frozenset({"paid", "no_payment_required"})


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, decided by a variant, rendered by a view."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DrainResult:
    """What one pass over the notification outbox did."""

    sent: int = 0
    pending: int = 0
    error: str | None = None


@dataclass(frozen=True)
class ClientClaims:
    """What a browser sent beside the session id; all of it is the client's word, untrusted.

    ``signed_in_company``: the company whose user is signed in (the ``X-Company-Id`` header
    stands in for the login session); ``plan_id``: a plan the success URL or the body names;
    ``amount``: a price the checkout request names. None: not sent.
    """

    signed_in_company: int | None = None
    plan_id: int | None = None
    amount: int | None = None


NO_CLAIMS = ClientClaims()


class InvalidWebhook(Exception):
    """The payload or its signature did not pass verification."""


class PoisonEvent(InvalidWebhook):
    """Correctly signed, but not an event this app could ever apply (not JSON, nested
    deeper than any event, fields of the wrong type, values that fit no column).

    Stripe retries every answer outside 2xx for days, and a retry of the same bytes fails
    the same way: the ``correct`` variant acknowledges it (logged) instead. The seed
    variants answer it as they answer any payload they cannot read (a subclass of
    ``InvalidWebhook``).
    """


# Stripe's events nest a handful of levels (event, data, object, metadata or a list's item).
MAX_EVENT_DEPTH = 32


class Variant:
    """The interface the views call; see ``CorrectVariant`` for the design that keeps I1-I8."""

    name = "abstract"

    def on_startup(self) -> None:
        """Called once when the app process starts (after Django is set up)."""

    def receive_webhook(self, payload: bytes, sig_header: str | None) -> Reply:
        """Verify and handle one webhook delivery; the reply goes back to Stripe."""
        raise NotImplementedError

    def validate_session(self, session_id: str, claims: ClientClaims = NO_CLAIMS) -> Reply:
        """Tell the success page whether a session is paid and fulfilled."""
        raise NotImplementedError

    def checkout_company(self, requested: int, claims: ClientClaims) -> int | None:
        """The company a new checkout is for: the one asked for, unless another company's
        user is signed in (None: refuse)."""
        signed_in = claims.signed_in_company
        return requested if signed_in is None or signed_in == requested else None

    def may_read_company(self, company_id: int, claims: ClientClaims) -> bool:
        """Whether the browser may read ``company_id``'s account page: only the company's
        own user, signed in (no one signed in: no one's page)."""
        return claims.signed_in_company == company_id

    def checkout_line_item(self, price_id: str, claims: ClientClaims) -> dict[str, Any]:
        """What the session charges: the plan's own price, whatever the client claims."""
        return {"price": price_id, "quantity": 1}

    def drain_notifications(self) -> DrainResult:
        """Send what is owed to browsers; variants without an outbox owe nothing."""
        return DrainResult()

    def replay_for_company(self, company_id: int) -> list[dict[str, Any]]:
        """Messages a newly connected websocket gets at once (none unless overridden)."""
        return []

    # The task side (Celery) -----------------------------------------------------------

    #: Whether the worker acknowledges a task once it returned (Celery's ``acks_late``) rather
    #: than when it receives it (Celery's default).
    task_acks_late = False

    def dispatch_activation_tasks(
        self, subscription: Any, session_id: str, amount: int | None = None
    ) -> None:
        """``.delay()`` every post-activation task, in the request, as most apps do: a broker
        failure raises here (kombu's ``OperationalError``), in the caller's transaction if any.
        Nothing happens without a broker."""
        from paychaos.reference_app.tasks.celery_app import (
            TASKS,
            activation_payload,
            broker_configured,
        )

        if not broker_configured():
            return
        payload = activation_payload(subscription, session_id, amount)
        for task in TASKS.values():
            task.delay(payload)

    def run_task(self, task: Any, kind: str, payload: dict[str, Any]) -> None:
        """A task's body, in the worker: do the work, every time it runs."""
        self.task_effect(task, kind, payload)

    def task_effect(self, task: Any, kind: str, payload: dict[str, Any]) -> None:
        """The work itself: one effect row (the account provisioned, the mail sent)."""
        from paychaos.reference_app.tasks.models import TaskEffect

        TaskEffect.objects.create(
            kind=kind,
            checkout_session_id=str(payload.get("session_id") or ""),
            subscription_id=payload.get("subscription_id"),
            company_id=payload.get("company_id"),
            task_id=str(task.request.id or ""),
        )

    def drain_tasks(self, stale_after: float | None = None) -> DrainResult:
        """Publish the tasks an outbox owes; variants without one owe nothing."""
        return DrainResult()

    # Shared helpers -----------------------------------------------------------------

    def verify_webhook(self, payload: bytes, sig_header: str | None) -> dict[str, Any]:
        """Check the ``Stripe-Signature`` header with the tolerance; return the event as a dict."""
        cfg = settings.PAYMENTS
        try:
            stripe.WebhookSignature.verify_header(
                payload, sig_header, cfg.stripe_webhook_secret, tolerance=cfg.webhook_tolerance
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidWebhook(str(exc)) from None
        # Signed: whatever is wrong from here on is wrong for every retry too.
        try:
            event = json.loads(payload)
        except RecursionError:
            raise PoisonEvent("payload nested too deeply to be a Stripe event") from None
        except ValueError as exc:
            raise PoisonEvent(f"payload is not JSON: {exc}") from None
        if json_depth(event) > MAX_EVENT_DEPTH:
            raise PoisonEvent(f"payload nested deeper than {MAX_EVENT_DEPTH} levels")
        if not isinstance(event, dict) or "type" not in event or "id" not in event:
            raise PoisonEvent("payload is not a Stripe event")
        return event


def json_depth(value: Any) -> int:
    """How deep lists and objects nest in parsed JSON (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_EVENT_DEPTH:
                return deepest
            stack.extend((child, depth) for child in node)
    return deepest


def is_paid(session: dict[str, Any]) -> bool:
    """Stripe's rule: fulfil only when the session's money is in (or none is due)."""
    return session.get("payment_status") in PAID_STATUSES


def object_id(value: Any) -> str:
    """An id whether Stripe sent it bare or expanded (``{"id": ...}``)."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def session_refs(session: dict[str, Any]) -> tuple[int, int]:
    """(company id, plan id) from the session's metadata; ValueError when absent."""
    metadata = session.get("metadata") or {}
    try:
        return int(metadata["company_id"]), int(metadata["plan_id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"session {session.get('id')} carries no company_id/plan_id metadata"
        ) from None


def audit(action: str, session_id: str = "", company_id: int | None = None, **detail: Any) -> None:
    """Append to the audit log (in the caller's transaction, if any)."""
    AuditLog.objects.create(
        action=action, checkout_session_id=session_id or "", company_id=company_id, detail=detail
    )


def advisory_lock(key: str) -> None:
    """Serialise transactions about one Stripe object until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
