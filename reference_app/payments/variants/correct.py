"""The ``correct`` variant: the design that keeps every invariant I1-I8.

- One fulfilment service for the webhook and validate, keyed by the checkout
  session id: it inserts a ``CheckoutFulfilment`` row first, in the same
  transaction as the subscription and the payment. A concurrent second caller
  waits on the unique index, then fails the insert and reads the winner's
  result (I1, I3).
- Fulfil only when ``payment_status`` is ``paid`` or ``no_payment_required``;
  ``async_payment_succeeded`` fulfils, ``async_payment_failed`` records a
  failure (I2).
- Each event id is claimed in the same transaction as its effects, so a
  failure rolls the claim back and Stripe's retry does the work (I5); effects
  are idempotent per object, which covers two events describing one change.
- Signatures are checked with the tolerance before anything is read (I6).
- ``customer.subscription.deleted`` is terminal: it cancels, or leaves a
  tombstone when it overtakes the fulfilment; both sides take one advisory
  lock per Stripe subscription; older ``updated`` events never win (I7).
- Notifications go to an outbox in the fulfilling transaction and leave after
  commit; a Redis failure never fails or rolls back fulfilment, and the outbox
  is drained again on later requests and by the drain endpoint (I8). A new
  websocket gets the company's recent activations replayed.
- The post-activation tasks go to a task outbox in the fulfilling
  transaction and are published after commit; a broker failure never fails
  fulfilment, and a row is published again until the task marks it done (a
  message the broker lost is sent anew). Tasks are acknowledged late and are
  idempotent per (task, checkout session): the ``TaskDone`` key, the effect
  and the outbox's ``done_at`` are written in one transaction (I9).
- The client is never trusted: validate fulfils what the session's metadata says (plan,
  company), whatever plan the success URL names, and answers about a session only to its
  own company's browser; checkout charges the plan's own price (I10, I11).
- The webhook answers 2xx only after commit; a database error answers 503 so
  Stripe retries. A correctly signed event it can never apply (malformed, or values no
  column takes) is acknowledged as poison and logged, never answered 5xx: Stripe would
  retry it for days. Validate never says ``failed`` for a session that may be
  paid: Stripe unreachable means ``pending`` (I4).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from paychaos.reference_app.payments import stripe_api
from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.models import (
    AuditLog,
    CanceledStripeSubscription,
    CheckoutFulfilment,
    Company,
    NotificationOutbox,
    Payment,
    ProcessedWebhookEvent,
    Subscription,
    SubscriptionPlan,
)
from paychaos.reference_app.payments.notifications import (
    ACTIVATED,
    activation_message,
    send_to_company,
)
from paychaos.reference_app.payments.variants.base import (
    NO_CLAIMS,
    ClientClaims,
    DrainResult,
    InvalidWebhook,
    PoisonEvent,
    Reply,
    Variant,
    advisory_lock,
    audit,
    is_paid,
    object_id,
    session_refs,
)

log = logging.getLogger("paychaos.reference_app.payments.correct")

# Stripe statuses an ``updated`` event may move a live subscription to.
_UPDATABLE_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid", "paused"})


@dataclass(frozen=True)
class Fulfilment:
    """The outcome of one fulfil call."""

    fulfilled: bool
    created: bool = False
    subscription_id: int | None = None
    subscription_status: str | None = None
    reason: str | None = None
    company_id: int | None = None


class _RedisBackoff:
    """Remembers the last failed send so a dead Redis does not cost every request a timeout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed_at = float("-inf")

    def failed(self) -> None:
        with self._lock:
            self._failed_at = time.monotonic()

    def succeeded(self) -> None:
        with self._lock:
            self._failed_at = float("-inf")

    def due(self, interval: float) -> bool:
        with self._lock:
            return time.monotonic() - self._failed_at >= interval


_backoff = _RedisBackoff()
_broker_backoff = _RedisBackoff()


def _send_rows(
    rows: list[Any], send: Callable[[Any], None], backoff: _RedisBackoff, what: str
) -> tuple[int, str | None]:
    """Send outbox rows in order, marking each sent; stop at the first failure, which stays on
    its row (and backs the sender off) for the next drain. Returns (sent, the failure)."""
    sent = 0
    for row in rows:
        row.attempts += 1
        try:
            send(row)
        except Exception as exc:  # any send failure: keep the row for the next drain
            error = f"{type(exc).__name__}: {exc}"
            row.last_error = error[:1000]
            row.save(update_fields=["attempts", "last_error"])
            backoff.failed()
            log.warning("%s %s not sent, will retry: %s", what, row.id, error)
            return sent, error
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "sent_at"])
        sent += 1
    if sent:
        backoff.succeeded()
    return sent, None


def _send_notification(row: Any) -> None:
    failpoint("notify.before_send")
    send_to_company(row.company_id, row.payload)


def _publish_task(row: Any) -> None:
    from paychaos.reference_app.tasks.celery_app import TASKS

    TASKS[row.kind].apply_async(args=[{**row.payload, "outbox_id": row.id}])


def _metadata_company(session: dict[str, Any]) -> int | None:
    """The company the session was created for (its metadata), or None."""
    try:
        return int((session.get("metadata") or {})["company_id"])
    except (KeyError, TypeError, ValueError):
        return None


class CorrectVariant(Variant):
    """The reference design; mutants subclass it and override one method each."""

    name = "correct"

    # Webhook ---------------------------------------------------------------------

    def receive_webhook(self, payload: bytes, sig_header: str | None) -> Reply:
        """Verify, handle in one transaction, answer 2xx only after commit.

        An error a retry could cure (the database unavailable) answers 503 so Stripe retries.
        A correctly signed event that can never be applied (malformed, about a company or
        plan that does not exist, values that fit no column) is acknowledged as poison and
        logged: any other answer makes Stripe send the same bytes again for days.
        """
        try:
            event = self.verify_webhook(payload, sig_header)
            self.check_applicable(event)
        except PoisonEvent as exc:
            return self.poison(payload, exc)
        except InvalidWebhook as exc:
            log.warning("webhook rejected: %s", exc)
            return Reply(400, {"error": "invalid webhook", "detail": str(exc)})
        try:
            reply = self.process_event(event)
        except DataError as exc:  # a value no column takes: the same on every retry
            return self.poison(payload, exc, event)
        except DatabaseError as exc:
            log.warning(
                "webhook %s failed on the database, Stripe will retry: %s", event["id"], exc
            )
            return Reply(503, {"error": "database unavailable", "retry": True})
        except (ValueError, ObjectDoesNotExist) as exc:
            # Metadata naming no company/plan we know: no retry will help.
            return self.poison(payload, exc, event)
        failpoint("webhook.before_response")
        self.drain_if_due()
        return reply

    def poison(self, payload: bytes, exc: Exception, event: dict[str, Any] | None = None) -> Reply:
        """Acknowledge an event that can never be applied, and say so loudly in the log."""
        event_id = event.get("id") if isinstance(event, dict) else None
        shown = event_id if isinstance(event_id, str) else payload[:80].decode("utf-8", "replace")
        log.error("webhook %.100s can never be applied, acknowledged as poison: %.300s", shown, exc)
        return Reply(
            200, {"received": True, "poison": True, "error": f"{type(exc).__name__}: {exc}"[:300]}
        )

    def check_applicable(self, event: dict[str, Any]) -> None:
        """PoisonEvent unless ``event`` has the shape its handler reads (Stripe's event shape)."""
        for name, limit in (("id", 255), ("type", 100)):
            value = event.get(name)
            if not isinstance(value, str) or not value or len(value) > limit:
                raise PoisonEvent(f"event {name} must be a string of 1 to {limit} characters")
        created = event.get("created")
        if created is not None and (isinstance(created, bool) or not isinstance(created, int)):
            raise PoisonEvent("event created must be a unix time")
        if event["type"] not in self.event_handlers():
            return  # acknowledged and ignored whatever its data
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        if not isinstance(obj, dict):
            raise PoisonEvent("event data.object must be an object")
        object_id_ = obj.get("id")
        if not isinstance(object_id_, str) or not object_id_ or len(object_id_) > 255:
            raise PoisonEvent("event data.object.id must be a string of 1 to 255 characters")
        for name in ("payment_status", "status", "currency"):
            if obj.get(name) is not None and not isinstance(obj[name], str):
                raise PoisonEvent(f"event data.object.{name} must be a string")
        for name in ("subscription", "customer"):
            value = obj.get(name)
            if isinstance(value, dict):
                value = value.get("id")
            if value is not None and not isinstance(value, str):
                raise PoisonEvent(f"event data.object.{name} must be an id")
        amount = obj.get("amount_total")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
            raise PoisonEvent("event data.object.amount_total must be a whole number")
        metadata = obj.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise PoisonEvent("event data.object.metadata must be an object")

    def event_handlers(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Event type -> handler; every other type is acknowledged and ignored."""
        return {
            "checkout.session.completed": self.on_session_completed,
            "checkout.session.async_payment_succeeded": self.on_session_completed,
            "checkout.session.async_payment_failed": self.on_async_payment_failed,
            "checkout.session.expired": self.on_session_expired,
            "customer.subscription.deleted": self.on_subscription_deleted,
            "customer.subscription.updated": self.on_subscription_updated,
        }

    def process_event(self, event: dict[str, Any]) -> Reply:
        """Claim the event id and apply its effects in one transaction."""
        handler = self.event_handlers().get(event["type"])
        if handler is None:
            return Reply(200, {"received": True, "ignored": True})
        with transaction.atomic():
            if not self.claim_event(event):
                return Reply(200, {"received": True, "duplicate": True})
            result = handler(event)
        return Reply(200, {"received": True, **result})

    def claim_event(self, event: dict[str, Any]) -> bool:
        """Insert the event id; False when it is already processed (or being processed and then committed)."""
        obj = event.get("data", {}).get("object", {}) or {}
        try:
            with transaction.atomic():
                ProcessedWebhookEvent.objects.create(
                    event_id=event["id"], event_type=event["type"], object_id=object_id(obj)
                )
        except IntegrityError:
            return False
        return True

    def on_session_completed(self, event: dict[str, Any]) -> dict[str, Any]:
        session = event["data"]["object"]
        if not self.is_paid(session):
            audit("awaiting_payment", session["id"], payment_status=session.get("payment_status"))
            return {"fulfilled": False, "reason": "unpaid"}
        result = self.fulfil(session, source="webhook", event_created=event.get("created"))
        return {"fulfilled": result.fulfilled, "created": result.created}

    def on_async_payment_failed(self, event: dict[str, Any]) -> dict[str, Any]:
        session = event["data"]["object"]
        audit("async_payment_failed", session["id"])
        return {"fulfilled": False, "reason": "async_payment_failed"}

    def on_session_expired(self, event: dict[str, Any]) -> dict[str, Any]:
        session = event["data"]["object"]
        audit("session_expired", session["id"])
        return {"fulfilled": False, "reason": "expired"}

    def on_subscription_deleted(self, event: dict[str, Any]) -> dict[str, Any]:
        sub = event["data"]["object"]
        canceled = self.cancel_subscription(sub["id"], event.get("created"))
        return {"canceled": canceled}

    def on_subscription_updated(self, event: dict[str, Any]) -> dict[str, Any]:
        sub = event["data"]["object"]
        if sub.get("status") in ("canceled", "incomplete_expired"):
            return {"canceled": self.cancel_subscription(sub["id"], event.get("created"))}
        updated = self.apply_subscription_status(
            sub["id"], sub.get("status", ""), event.get("created")
        )
        return {"updated": updated}

    # Fulfilment --------------------------------------------------------------------

    def is_paid(self, session: dict[str, Any]) -> bool:
        """Stripe's rule: fulfil only when the money is in (or none is due)."""
        return is_paid(session)

    def fulfil(
        self, session: dict[str, Any], *, source: str, event_created: int | None = None
    ) -> Fulfilment:
        """Create exactly one subscription and one payment for a paid session, whoever calls."""
        if not self.is_paid(session):
            return Fulfilment(fulfilled=False, reason="unpaid")
        return self.fulfil_paid_session(session, source=source, event_created=event_created)

    def fulfilment_key(self, session_id: str, source: str) -> str:
        """The idempotency key: the session id, the same for the webhook and validate."""
        return session_id

    def fulfil_paid_session(
        self, session: dict[str, Any], *, source: str, event_created: int | None = None
    ) -> Fulfilment:
        """Fulfil a session already known to be paid (the caller checked)."""
        session_id = session["id"]
        key = self.fulfilment_key(session_id, source)
        company_id, plan_id = session_refs(session)
        with transaction.atomic():
            ledger = self.claim_fulfilment(key, source)
            if ledger is None:
                return self.existing_fulfilment(key)
            # Registered first so it runs first after commit: before the notification leaves.
            transaction.on_commit(lambda: failpoint("fulfil.after_commit"))
            subscription, payment = self.create_records(
                session, company_id, plan_id, event_created=event_created
            )
            self.record_fulfilment(ledger, subscription, payment)
            audit(
                "fulfilled", session_id, company_id, source=source, subscription_id=subscription.id
            )
            if subscription.status == Subscription.Status.ACTIVE:
                self.queue_activation(subscription, session_id)
                self.queue_activation_tasks(
                    subscription, session_id, getattr(payment, "amount", None)
                )
            failpoint("fulfil.before_commit")
        return Fulfilment(
            fulfilled=True,
            created=True,
            subscription_id=subscription.id,
            subscription_status=subscription.status,
            company_id=subscription.company_id,
        )

    def record_fulfilment(
        self, ledger: CheckoutFulfilment, subscription: Subscription, payment: Payment
    ) -> None:
        """Point the fulfilment key at what it created."""
        ledger.subscription = subscription
        ledger.payment = payment
        ledger.save(update_fields=["subscription", "payment"])

    def claim_fulfilment(self, session_id: str, source: str) -> CheckoutFulfilment | None:
        """Insert the session's fulfilment key; None when another caller already holds it.

        A concurrent second insert waits on the unique index until the first
        transaction ends, then fails (or succeeds, if the first rolled back).
        """
        failpoint("fulfil.before_insert")
        try:
            with transaction.atomic():
                return CheckoutFulfilment.objects.create(
                    checkout_session_id=session_id, source=source
                )
        except IntegrityError:
            return None

    def existing_fulfilment(self, key: str) -> Fulfilment:
        """The winner's result, for the caller that lost the race (or came later)."""
        ledger = CheckoutFulfilment.objects.select_related("subscription").get(
            checkout_session_id=key
        )
        sub = ledger.subscription
        return Fulfilment(
            fulfilled=True,
            created=False,
            subscription_id=sub.id if sub else None,
            subscription_status=sub.status if sub else None,
            company_id=sub.company_id if sub else None,
        )

    def create_records(
        self,
        session: dict[str, Any],
        company_id: int,
        plan_id: int,
        *,
        event_created: int | None = None,
    ) -> tuple[Subscription, Payment]:
        """The subscription and the payment; canceled from birth if Stripe already deleted it."""
        company = Company.objects.get(pk=company_id)
        plan = SubscriptionPlan.objects.get(pk=plan_id)
        stripe_sub_id = object_id(session.get("subscription"))
        status = Subscription.Status.ACTIVE
        canceled_at = None
        if stripe_sub_id:
            advisory_lock(stripe_sub_id)
            if CanceledStripeSubscription.objects.filter(
                stripe_subscription_id=stripe_sub_id
            ).exists():
                status, canceled_at = Subscription.Status.CANCELED, timezone.now()
        subscription = Subscription.objects.create(
            company=company,
            plan=plan,
            status=status,
            stripe_subscription_id=stripe_sub_id,
            stripe_customer_id=object_id(session.get("customer")),
            checkout_session_id=session["id"],
            status_event_created=event_created,
            canceled_at=canceled_at,
        )
        payment = Payment.objects.create(
            company=company,
            subscription=subscription,
            checkout_session_id=session["id"],
            amount=session.get("amount_total") or plan.amount,
            currency=session.get("currency") or plan.currency,
        )
        return subscription, payment

    # Subscription lifecycle ----------------------------------------------------------

    def cancel_subscription(self, stripe_sub_id: str, event_created: int | None) -> int:
        """Cancel for good, and leave a tombstone for a fulfilment that has not happened yet."""
        with transaction.atomic():
            advisory_lock(stripe_sub_id)
            CanceledStripeSubscription.objects.get_or_create(
                stripe_subscription_id=stripe_sub_id, defaults={"event_created": event_created}
            )
            count = (
                Subscription.objects.filter(stripe_subscription_id=stripe_sub_id)
                .exclude(status=Subscription.Status.CANCELED)
                .update(
                    status=Subscription.Status.CANCELED,
                    canceled_at=timezone.now(),
                    status_event_created=event_created,
                )
            )
            audit(
                "subscription_canceled", "", None, stripe_subscription_id=stripe_sub_id, rows=count
            )
        return count

    def apply_subscription_status(
        self, stripe_sub_id: str, status: str, event_created: int | None
    ) -> int:
        """Apply a newer status; canceled is terminal and an older event never wins."""
        if status not in _UPDATABLE_STATUSES:
            return 0
        with transaction.atomic():
            advisory_lock(stripe_sub_id)
            if CanceledStripeSubscription.objects.filter(
                stripe_subscription_id=stripe_sub_id
            ).exists():
                return 0
            rows = Subscription.objects.filter(stripe_subscription_id=stripe_sub_id).exclude(
                status=Subscription.Status.CANCELED
            )
            if event_created is not None:
                rows = rows.filter(
                    Q(status_event_created__isnull=True)
                    | Q(status_event_created__lte=event_created)
                )
            return rows.update(status=status, status_event_created=event_created)

    # Validate ---------------------------------------------------------------------

    def validate_session(self, session_id: str, claims: ClientClaims = NO_CLAIMS) -> Reply:
        """success once fulfilled; pending while unknown; failed only when Stripe says so."""
        try:
            reply = self._validate(session_id, claims)
        except DatabaseError as exc:
            log.warning("validate %s: database unavailable: %s", session_id, exc)
            reply = Reply(
                503,
                {"status": "pending", "session_id": session_id, "reason": "database_unavailable"},
            )
        self.drain_if_due()
        return reply

    def _validate(self, session_id: str, claims: ClientClaims) -> Reply:
        done = self.fulfilment_of(session_id)
        if done is not None and done.company_id is not None:
            if not self.may_see(done.company_id, claims):
                return self.not_yours(session_id)
            return self.success(session_id, done)
        try:
            session = stripe_api.retrieve_session(session_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return Reply(
                    404, {"status": "failed", "session_id": session_id, "reason": "unknown_session"}
                )
            return self.pending(session_id, "stripe_error")
        except stripe.StripeError as exc:
            log.warning("validate %s: Stripe unavailable: %s", session_id, exc)
            return self.pending(session_id, "stripe_unavailable")
        failpoint("checkout.after_session_read")
        if not self.may_see(_metadata_company(session), claims):
            return self.not_yours(session_id)
        if done is not None:
            return self.success(session_id, done)
        session = self.as_claimed(session, claims)
        if self.is_paid(session):
            return self.success(session_id, self.fulfil(session, source="validate"))
        if session.get("status") == "expired":
            return Reply(200, {"status": "failed", "session_id": session_id, "reason": "expired"})
        if AuditLog.objects.filter(
            action="async_payment_failed", checkout_session_id=session_id
        ).exists():
            return Reply(
                200,
                {"status": "failed", "session_id": session_id, "reason": "async_payment_failed"},
            )
        return self.pending(session_id, "awaiting_payment")

    def fulfilment_of(self, session_id: str) -> Fulfilment | None:
        """The recorded fulfilment of a session, if any."""
        key = self.fulfilment_key(session_id, "validate")
        if not CheckoutFulfilment.objects.filter(checkout_session_id=key).exists():
            return None
        return self.existing_fulfilment(key)

    def may_see(self, company_id: int | None, claims: ClientClaims) -> bool:
        """Whether the signed-in browser may learn about (and fulfil) a session of
        ``company_id``: only its own company's (no one signed in: the success page's own
        call, which carries nothing but the session id)."""
        signed_in = claims.signed_in_company
        return signed_in is None or signed_in == company_id

    def as_claimed(self, session: dict[str, Any], claims: ClientClaims) -> dict[str, Any]:
        """The session fulfilment works from: Stripe's, whatever the client claims."""
        return session

    @staticmethod
    def not_yours(session_id: str) -> Reply:
        """Another company's session: answered as if it did not exist, revealing nothing."""
        return Reply(
            404, {"status": "failed", "session_id": session_id, "reason": "unknown_session"}
        )

    @staticmethod
    def success(session_id: str, result: Fulfilment) -> Reply:
        return Reply(
            200,
            {
                "status": "success",
                "session_id": session_id,
                "subscription_id": result.subscription_id,
                "subscription_status": result.subscription_status,
            },
        )

    @staticmethod
    def pending(session_id: str, reason: str) -> Reply:
        return Reply(200, {"status": "pending", "session_id": session_id, "reason": reason})

    # Notifications ----------------------------------------------------------------

    def queue_activation(self, subscription: Subscription, session_id: str) -> None:
        """Write the notification with the change; send it once the change is committed."""
        NotificationOutbox.objects.create(
            company_id=subscription.company_id,
            kind=ACTIVATED,
            payload=activation_message(
                company_id=subscription.company_id,
                subscription_id=subscription.id,
                stripe_subscription_id=subscription.stripe_subscription_id,
                session_id=session_id,
            ),
        )
        transaction.on_commit(self.drain_if_due, robust=True)

    def drain_if_due(self) -> None:
        """Drain the outbox unless Redis failed a moment ago; never raises."""
        if not _backoff.due(settings.PAYMENTS.notify_retry_interval):
            return
        try:
            self.drain_notifications()
        except Exception as exc:  # the caller's work is committed; notifying is best effort now
            log.warning("outbox drain failed: %s", exc)

    def drain_notifications(self) -> DrainResult:
        """Send every unsent notification, oldest first; stop at the first Redis failure."""
        sent, error = 0, None
        while error is None:
            with transaction.atomic():
                batch = list(
                    NotificationOutbox.objects.select_for_update(skip_locked=True)
                    .filter(sent_at__isnull=True)
                    .order_by("id")[:20]
                )
                if not batch:
                    break
                done, error = _send_rows(batch, _send_notification, _backoff, "notification")
                sent += done
        pending = NotificationOutbox.objects.filter(sent_at__isnull=True).count()
        return DrainResult(sent=sent, pending=pending, error=error)

    def replay_for_company(self, company_id: int) -> list[dict[str, Any]]:
        """A new websocket gets the company's recent activations, so a message lost
        while it was disconnected (or while Redis restarted empty) still arrives."""
        rows = NotificationOutbox.objects.filter(company_id=company_id, kind=ACTIVATED).order_by(
            "-id"
        )[:50]
        return [{**row.payload, "replayed": True} for row in reversed(rows)]

    # Tasks ------------------------------------------------------------------------

    task_acks_late = True

    def queue_activation_tasks(
        self, subscription: Subscription, session_id: str, amount: int | None
    ) -> None:
        """Write the tasks with the activation; publish them once it is committed."""
        from paychaos.reference_app.tasks.celery_app import (
            KINDS,
            activation_payload,
            broker_configured,
        )
        from paychaos.reference_app.tasks.models import TaskOutbox

        if not broker_configured():
            return
        payload = activation_payload(subscription, session_id, amount)
        for kind in KINDS:
            TaskOutbox.objects.create(kind=kind, payload=payload)
        transaction.on_commit(self.drain_tasks_if_due, robust=True)

    def drain_tasks_if_due(self) -> None:
        """Publish what the task outbox owes unless the broker failed a moment ago; never raises."""
        if not _broker_backoff.due(settings.PAYMENTS.notify_retry_interval):
            return
        try:
            self.drain_tasks()
        except Exception as exc:  # the activation is committed; publishing is retried later
            log.warning("task outbox drain failed: %s", exc)

    def drain_tasks(self, stale_after: float | None = None) -> DrainResult:
        """Publish every outbox row not done (again, once it was sent ``task_republish_after``
        seconds ago, or ``stale_after`` when given: 0 once the worker is known to be idle)."""
        from datetime import timedelta

        from paychaos.reference_app.tasks.models import TaskOutbox

        cfg = settings.PAYMENTS
        if not cfg.broker_url:
            return DrainResult()
        again = cfg.task_republish_after if stale_after is None else stale_after
        stale = timezone.now() - timedelta(seconds=again)
        with transaction.atomic():
            rows = list(
                TaskOutbox.objects.select_for_update(skip_locked=True)
                .filter(done_at__isnull=True)
                .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=stale))
                .order_by("id")[:50]
            )
            sent, error = _send_rows(rows, _publish_task, _broker_backoff, "task")
        pending = TaskOutbox.objects.filter(done_at__isnull=True).count()
        return DrainResult(sent=sent, pending=pending, error=error)

    def run_task(self, task: Any, kind: str, payload: dict[str, Any]) -> None:
        """Do the work once per (task, activation): the key, the effect and the outbox's
        ``done_at`` commit together, so a second run (a redelivery, a republish) does nothing."""
        from paychaos.reference_app.tasks.models import TaskOutbox

        session_id = str(payload.get("session_id") or "")
        with transaction.atomic():
            if self.claim_task(kind, session_id):
                self.task_effect(task, kind, payload)
            else:
                log.info("task %s for %s already done", kind, session_id)
            if payload.get("outbox_id"):
                TaskOutbox.objects.filter(pk=payload["outbox_id"], done_at__isnull=True).update(
                    done_at=timezone.now()
                )

    def claim_task(self, kind: str, session_id: str) -> bool:
        """Insert the task's key for this activation; False when a run already did the work."""
        from paychaos.reference_app.tasks.models import TaskDone

        try:
            with transaction.atomic():
                TaskDone.objects.create(kind=kind, activation=session_id)
        except IntegrityError:
            return False
        return True
