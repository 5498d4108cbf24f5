"""What happens on Stripe's side when a customer acts or time passes.

Each transition changes the objects and emits the events Stripe emits, in
Stripe's order. Events caused by the customer or by time carry
``request: {id: null, idempotency_key: null}``.
"""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.resources.charges import emit_payment_succeeded
from paychaos.stripe_emulator.resources.checkout_sessions import customer_details
from paychaos.stripe_emulator.resources.common import add_interval
from paychaos.stripe_emulator.resources.customers import new_customer
from paychaos.stripe_emulator.resources.invoices import mark_paid, new_subscription_invoice
from paychaos.stripe_emulator.resources.payment_intents import mark_succeeded, new_payment_intent
from paychaos.stripe_emulator.resources.subscriptions import (
    cancel_now,
    current_period,
    new_subscription,
)
from paychaos.stripe_emulator.state import EmulatorState, snapshot

OUTCOMES = ("paid", "delayed", "declined")
# Every field of ``payment_intent.last_payment_error`` (null unless set).
PAYMENT_ERROR_FIELDS = (
    "advice_code",
    "charge",
    "code",
    "decline_code",
    "doc_url",
    "message",
    "network_advice_code",
    "network_decline_code",
    "param",
    "payment_intent",
    "payment_method",
    "payment_method_type",
    "request_log_url",
    "setup_intent",
    "source",
    "type",
)


def _require_open(session: dict[str, Any], action: str) -> None:
    if session["status"] != "open":
        raise invalid(
            f"Cannot {action} Checkout Session {session['id']}: its status is "
            f"{session['status']!r}, not 'open'.",
            param="session",
        )


def complete_session(state: EmulatorState, session: dict[str, Any], outcome: str) -> dict[str, Any]:
    """The customer submits the Checkout page.

    ``paid``: complete and paid. ``delayed``: complete with ``payment_status=unpaid``
    (a SEPA/ACH-like method), settled later by :func:`settle_async_payment`.
    ``declined``: the card is declined; the session stays open and nothing is emitted.
    """
    if outcome not in OUTCOMES:
        raise invalid(
            f"Unknown outcome {outcome!r}: use one of {', '.join(OUTCOMES)}", param="outcome"
        )
    _require_open(session, "complete")
    if outcome == "declined":
        return session
    paid = outcome == "paid"
    items = state.store.line_items.get(session["id"], [])
    options = state.store.session_options.get(session["id"], {})
    customer_id = session["customer"]
    email = session["customer_email"] or "customer@example.com"
    if customer_id is None and (
        session["mode"] == "subscription" or session.get("customer_creation") == "always"
    ):
        customer = new_customer(state, email=email)
        customer_id = customer["id"]
        state.emit("customer.created", customer)
    session["customer_details"] = customer_details(email)
    if session["mode"] == "subscription":
        sub_data = options.get("subscription_data") or {}
        subscription = new_subscription(
            state,
            customer=customer_id,
            line_items=items,
            status="active" if paid else "incomplete",
            metadata=sub_data.get("metadata"),
            description=sub_data.get("description"),
        )
        intent = new_payment_intent(
            state,
            amount=session["amount_total"],
            currency=session["currency"],
            customer=customer_id,
            status="succeeded" if paid else "processing",
        )
        invoice = new_subscription_invoice(
            state, subscription, payment_intent=intent["id"], status="paid" if paid else "open"
        )
        subscription["latest_invoice"] = invoice["id"]
        state.emit("customer.subscription.created", subscription)
        state.emit("invoice.created", invoice)
        state.emit("invoice.finalized", invoice)
        if paid:
            state.emit("invoice.paid", invoice)
            state.emit("invoice.payment_succeeded", invoice)
            emit_payment_succeeded(state, intent)
        session["subscription"] = subscription["id"]
        session["invoice"] = invoice["id"]
    else:
        pi_data = options.get("payment_intent_data") or {}
        intent = new_payment_intent(
            state,
            amount=session["amount_total"],
            currency=session["currency"],
            customer=customer_id,
            status="succeeded" if paid else "processing",
            metadata=pi_data.get("metadata"),
            description=pi_data.get("description"),
        )
        if paid:
            emit_payment_succeeded(state, intent)
        session["payment_intent"] = intent["id"]
    session["customer"] = customer_id
    session["status"] = "complete"
    session["payment_status"] = "paid" if paid else "unpaid"
    session["url"] = None
    state.emit("checkout.session.completed", session)
    return session


def settle_async_payment(
    state: EmulatorState, session: dict[str, Any], succeeded: bool
) -> dict[str, Any]:
    """A delayed payment of a completed, unpaid session succeeds or fails."""
    if session["status"] != "complete" or session["payment_status"] != "unpaid":
        raise invalid(
            f"Checkout Session {session['id']} has no payment in progress "
            f"(status {session['status']!r}, payment_status {session['payment_status']!r}).",
            param="session",
        )
    subscription: dict[str, Any] | None = None
    invoice: dict[str, Any] | None = None
    if session["mode"] == "subscription":
        subscription = state.store.get("subscription", session["subscription"])
        invoice = state.store.get("invoice", session["invoice"])
        intent = state.store.get("payment_intent", state.store.invoice_payments[invoice["id"]])
    else:
        intent = state.store.get("payment_intent", session["payment_intent"])
    if intent["status"] != "processing":
        raise invalid(
            f"Checkout Session {session['id']} has no payment in progress "
            f"(its payment intent is {intent['status']!r}).",
            param="session",
        )
    if succeeded:
        mark_succeeded(state, intent)
        if invoice is not None and subscription is not None:
            previous_invoice = mark_paid(state, invoice)
            state.emit("invoice.updated", invoice, previous_attributes=previous_invoice)
            state.emit("invoice.paid", invoice)
            state.emit("invoice.payment_succeeded", invoice)
            # Money that arrives after the subscription was canceled does not bring it back.
            if subscription["status"] not in ("canceled", "incomplete_expired"):
                previous_status = subscription["status"]
                subscription["status"] = "active"
                state.emit(
                    "customer.subscription.updated",
                    subscription,
                    previous_attributes={"status": previous_status},
                )
        emit_payment_succeeded(state, intent)
        session["payment_status"] = "paid"
        state.emit("checkout.session.async_payment_succeeded", session)
    else:
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            **dict.fromkeys(PAYMENT_ERROR_FIELDS),
            "code": "payment_intent_payment_attempt_failed",
            "message": "The payment failed.",
            "payment_method_type": "sepa_debit",
            "type": "invalid_request_error",
        }
        if invoice is not None:
            state.emit("invoice.payment_failed", invoice)
        state.emit("payment_intent.payment_failed", intent)
        state.emit("checkout.session.async_payment_failed", session)
    return session


def expire_session(
    state: EmulatorState, session: dict[str, Any], request: dict[str, Any] | None = None
) -> dict[str, Any]:
    """End an open session (API call, control call, or ``expires_at`` passing)."""
    if session["status"] != "open":
        raise invalid(
            'Only Checkout Sessions with a status in ["open"] can be expired. '
            f'This Checkout Session has a status of "{session["status"]}".',
            param="session",
        )
    session["status"] = "expired"
    session["url"] = None
    state.emit("checkout.session.expired", session, request=request)
    return session


def expire_due_sessions(state: EmulatorState) -> list[dict[str, Any]]:
    """Expire every open session whose ``expires_at`` has passed on the emulator clock."""
    now = state.now()
    due = [
        s
        for s in state.store.oldest_first("checkout.session")
        if s["status"] == "open" and s["expires_at"] <= now
    ]
    return [expire_session(state, s) for s in due]


def cancel_subscription(
    state: EmulatorState, subscription: dict[str, Any], reason: str = "cancellation_requested"
) -> dict[str, Any]:
    """Stripe ends a subscription on its own (the customer canceled in the portal, dunning
    gave up, ...): ``customer.subscription.deleted`` with no request."""
    return cancel_now(state, subscription, reason=reason)


def renew_due_subscriptions(state: EmulatorState) -> None:
    """Subscriptions whose period ended while the clock moved: cancel those set to cancel,
    renew the others (a paid renewal invoice and ``customer.subscription.updated``)."""
    now = state.now()
    for sub in state.store.oldest_first("subscription"):
        while sub["status"] in ("active", "trialing") and current_period(sub)[1] <= now:
            if sub["cancel_at"] is not None and sub["cancel_at"] <= current_period(sub)[1]:
                cancel_now(state, sub)
                break
            _renew(state, sub)


def renewals_due_by(state: EmulatorState, when: int, limit: int) -> int:
    """How many renewals moving the clock to ``when`` would make (counting stops past
    ``limit``); no object changes."""
    count = 0
    for sub in state.store.oldest_first("subscription"):
        if sub["status"] not in ("active", "trialing"):
            continue
        recurring = sub["items"]["data"][0]["price"]["recurring"]
        end = current_period(sub)[1]
        while end <= when and count <= limit:
            if sub["cancel_at"] is not None and sub["cancel_at"] <= end:
                break
            count += 1
            end = add_interval(end, recurring["interval"], recurring["interval_count"])
        if count > limit:
            break
    return count


def _renew(state: EmulatorState, sub: dict[str, Any]) -> None:
    # The period moved on every item: Stripe reports the whole items list as changed.
    previous = {"items": snapshot(sub["items"]), "latest_invoice": sub["latest_invoice"]}
    recurring = sub["items"]["data"][0]["price"]["recurring"]
    start = current_period(sub)[1]
    end = add_interval(start, recurring["interval"], recurring["interval_count"])
    for item in sub["items"]["data"]:
        item["current_period_start"], item["current_period_end"] = start, end
    amount = sum(i["price"]["unit_amount"] * i["quantity"] for i in sub["items"]["data"])
    # Prorations a plan change left for this invoice are billed with the new period.
    pending = state.store.pending_lines.pop(sub["id"], [])
    amount += sum(line["amount"] for line in pending)
    customer = state.store.find(sub["customer"]) or {}
    intent = new_payment_intent(
        state,
        amount=amount,
        currency=sub["currency"],
        customer=sub["customer"],
        status="succeeded",
        payment_method=sub["default_payment_method"]
        or (customer.get("invoice_settings") or {}).get("default_payment_method"),
    )
    invoice = new_subscription_invoice(
        state,
        sub,
        payment_intent=intent["id"],
        status="paid",
        billing_reason="subscription_cycle",
        extra_lines=pending,
    )
    sub["latest_invoice"] = invoice["id"]
    state.emit("invoice.created", invoice)
    state.emit("invoice.finalized", invoice)
    state.emit("invoice.paid", invoice)
    state.emit("invoice.payment_succeeded", invoice)
    emit_payment_succeeded(state, intent)
    state.emit("customer.subscription.updated", sub, previous_attributes=previous)
