"""Each mutant really carries its bug: the same schedule that ``correct`` survives breaks it.

Races are forced the way the harness forces them, at the app's failpoints:
the module-level ``failpoint`` name is replaced by one that holds both callers
at a barrier (or raises) at the named point.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import OperationalError
from django.test import Client

from paychaos.reference_app.payments.models import Payment, Subscription
from paychaos.reference_app.payments.notifications import group_name
from paychaos.reference_app.payments.variants import correct as correct_module
from paychaos.reference_app.payments.variants.mutants import m02_exists_then_insert as m02_module
from paychaos.reference_app.payments.variants.mutants import (
    m04_get_or_create_no_constraint as m04_module,
)
from paychaos.reference_app.payments.variants.mutants import (
    m05_lock_that_does_not_lock as m05_module,
)
from paychaos.reference_app.payments.variants.registry import variant_class
from tests.reference_app.conftest import WEBHOOK_SECRET
from tests.reference_app.stripe_events import checkout_session, encode, event, sign
from tests.reference_app.threads import together

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(evt: dict, *, signed: bool = True):
    payload = encode(evt)
    headers = {"Stripe-Signature": sign(payload, WEBHOOK_SECRET)} if signed else {}
    return Client(raise_request_exception=False).post(
        "/api/stripe/webhook/", data=payload, content_type="application/json", headers=headers
    )


def at_failpoint(monkeypatch, module, name: str, action: Callable[[], None]) -> None:
    """Make ``failpoint(name)`` in ``module`` run ``action``; other names stay no-ops."""
    monkeypatch.setattr(module, "failpoint", lambda n: action() if n == name else None)


def subs(session: dict) -> int:
    return Subscription.objects.filter(checkout_session_id=session["id"]).count()


def payments(session: dict) -> int:
    return Payment.objects.filter(checkout_session_id=session["id"]).count()


@pytest.fixture
def use(payments_config):
    """Serve a variant through the views; returns a fresh instance of it."""

    def choose(name: str):
        payments_config(variant=name)
        from paychaos.reference_app.payments.variants.registry import active_variant

        return active_variant()

    return choose


# Redis in the request path --------------------------------------------------------------


@pytest.mark.parametrize(("name", "broken"), [("correct", False), ("mutant:M1", True)])
def test_m1_refused_redis_rolls_back_a_paid_fulfilment(catalog, use, name, broken):
    use(name)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    response = deliver(event("checkout.session.completed", session))
    assert (response.status_code == 500 and subs(session) == 0) is broken
    assert (response.status_code == 200 and subs(session) == 1) is not broken


# Webhook and validate racing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "module", "broken"),
    [
        ("correct", correct_module, False),
        ("mutant:M2", m02_module, True),
        ("mutant:M4", m04_module, True),
        ("mutant:M5", m05_module, True),
    ],
)
def test_race_at_fulfil_before_insert_doubles_the_subscription(
    catalog, monkeypatch, name, module, broken
):
    variant = variant_class(name)()
    barrier = threading.Barrier(2)
    at_failpoint(monkeypatch, module, "fulfil.before_insert", lambda: barrier.wait(timeout=5))
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    results = together(
        lambda: variant.fulfil(session, source="webhook"),
        lambda: variant.fulfil(session, source="validate"),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert (subs(session), payments(session)) == ((2, 2) if broken else (1, 1))


def test_m4_duplicates_make_every_later_fulfilment_fail(catalog, monkeypatch):
    variant = variant_class("mutant:M4")()
    barrier = threading.Barrier(2)
    at_failpoint(monkeypatch, m04_module, "fulfil.before_insert", lambda: barrier.wait(timeout=5))
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    together(*(lambda s=s: variant.fulfil(session, source=s) for s in ("webhook", "validate")))
    monkeypatch.setattr(m04_module, "failpoint", lambda n: None)
    with pytest.raises(Subscription.MultipleObjectsReturned):
        variant.fulfil(session, source="webhook")


# Duplicated effects without a race --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"), [("correct", (1, 1)), ("mutant:M3", (1, 2)), ("mutant:M6", (2, 2))]
)
def test_webhook_then_validate_records_the_purchase_once(catalog, name, expected):
    variant = variant_class(name)()
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    variant.fulfil(session, source="webhook")
    variant.fulfil(session, source="validate")
    assert (subs(session), payments(session)) == expected


# Failures mid-handler ------------------------------------------------------------------


def _database_blip() -> None:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(("name", "first_status"), [("correct", 503), ("mutant:M7", 200)])
def test_m7_database_error_is_acknowledged_and_the_work_is_lost(
    catalog, use, monkeypatch, name, first_status
):
    use(name)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    at_failpoint(monkeypatch, correct_module, "fulfil.before_insert", _database_blip)
    response = deliver(event("checkout.session.completed", session))
    assert response.status_code == first_status
    assert subs(session) == 0  # Stripe retries only the 503


@pytest.mark.parametrize(("name", "fulfilled_by_retry"), [("correct", True), ("mutant:M8", False)])
def test_m8_retry_after_a_failure_mid_handler_is_taken_for_a_duplicate(
    catalog, use, monkeypatch, name, fulfilled_by_retry
):
    use(name)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    evt = event("checkout.session.completed", session)
    at_failpoint(monkeypatch, correct_module, "fulfil.before_insert", _database_blip)
    assert deliver(evt).status_code == 503
    monkeypatch.setattr(correct_module, "failpoint", lambda n: None)
    assert deliver(evt).status_code == 200  # Stripe's retry
    assert (subs(session) == 1) is fulfilled_by_retry


# Payment status, state guard, signature ----------------------------------------------------


@pytest.mark.parametrize(("name", "broken"), [("correct", False), ("mutant:M9", True)])
def test_m9_unpaid_completed_session_gets_a_subscription(catalog, use, name, broken):
    use(name)
    company, plan = catalog
    session = checkout_session(company.id, plan.id, payment_status="unpaid")
    deliver(event("checkout.session.completed", session))
    deliver(event("checkout.session.async_payment_failed", session))
    assert (subs(session) == 1) is broken


@pytest.mark.parametrize(("name", "final"), [("correct", "canceled"), ("mutant:M10", "active")])
def test_m10_late_update_resurrects_a_canceled_subscription(catalog, use, name, final):
    use(name)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    sub = {"id": session["subscription"], "object": "subscription", "status": "canceled"}
    deliver(event("checkout.session.completed", session, created=100))
    deliver(event("customer.subscription.deleted", sub, created=300))
    deliver(event("customer.subscription.updated", {**sub, "status": "active"}, created=200))
    assert Subscription.objects.get().status == final


@pytest.mark.parametrize(
    ("name", "status", "broken"), [("correct", 400, False), ("mutant:M11", 200, True)]
)
def test_m11_unsigned_forged_event_grants_a_subscription(catalog, use, name, status, broken):
    use(name)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    assert deliver(event("checkout.session.completed", session), signed=False).status_code == status
    assert (subs(session) == 1) is broken


# Notification before commit --------------------------------------------------------------


@pytest.mark.parametrize(("name", "told"), [("correct", False), ("mutant:M12", True)])
def test_m12_customer_is_told_of_an_activation_that_rolled_back(
    catalog, redis_url, monkeypatch, name, told
):
    variant = variant_class(name)()
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    at_failpoint(monkeypatch, correct_module, "fulfil.before_commit", _database_blip)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(company.id), channel)
    with pytest.raises(OperationalError):
        variant.fulfil(session, source="webhook")
    variant.drain_notifications()  # whatever is still owed goes out now

    async def receive_or_none():
        import asyncio

        try:
            return await asyncio.wait_for(layer.receive(channel), timeout=0.5)
        except TimeoutError:
            return None

    started = time.monotonic()
    message = async_to_sync(receive_or_none)()
    assert time.monotonic() - started < 5
    assert subs(session) == 0
    assert (message is not None) is told
