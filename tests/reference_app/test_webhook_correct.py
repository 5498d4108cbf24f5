"""The webhook endpoint of the correct variant, with real Stripe signatures."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from paychaos.reference_app.payments.models import Payment, ProcessedWebhookEvent, Subscription
from tests.reference_app.conftest import WEBHOOK_SECRET
from tests.reference_app.stripe_events import checkout_session, encode, event, sign

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/stripe/webhook/"


def deliver(evt: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, client=None):
    payload = encode(evt)
    return (client or Client()).post(
        URL,
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, secret, timestamp=timestamp)},
    )


def test_signed_completed_event_creates_one_active_subscription_and_one_payment(catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    response = deliver(event("checkout.session.completed", session))
    assert response.status_code == 200, response.content
    assert (
        Subscription.objects.filter(checkout_session_id=session["id"], status="active").count() == 1
    )
    assert Payment.objects.filter(checkout_session_id=session["id"]).count() == 1


def test_bad_signature_is_rejected_with_400_and_changes_nothing(catalog):
    company, plan = catalog
    response = deliver(
        event("checkout.session.completed", checkout_session(company.id, plan.id)),
        secret="whsec_attacker",
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists() and not ProcessedWebhookEvent.objects.exists()


def test_unsigned_event_is_rejected(catalog):
    company, plan = catalog
    payload = encode(event("checkout.session.completed", checkout_session(company.id, plan.id)))
    response = Client().post(URL, data=payload, content_type="application/json")
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_stale_signature_is_rejected(catalog):
    company, plan = catalog
    evt = event("checkout.session.completed", checkout_session(company.id, plan.id))
    response = deliver(evt, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_same_event_twice_makes_one_subscription(catalog):
    company, plan = catalog
    evt = event("checkout.session.completed", checkout_session(company.id, plan.id))
    first, second = deliver(evt), deliver(evt)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 1


def test_same_event_delivered_twice_at_once_makes_one_subscription(catalog):
    company, plan = catalog
    evt = event("checkout.session.completed", checkout_session(company.id, plan.id))
    barrier, codes = threading.Barrier(2), []

    def post() -> None:
        try:
            barrier.wait(timeout=5)
            codes.append(deliver(evt).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    assert codes == [200, 200]
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 1


def test_unpaid_completed_session_waits_for_async_success(catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id, payment_status="unpaid")
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    assert not Subscription.objects.exists()
    paid = {**session, "payment_status": "paid"}
    assert deliver(event("checkout.session.async_payment_succeeded", paid)).status_code == 200
    assert Subscription.objects.filter(status="active").count() == 1


def test_async_payment_failure_creates_nothing(catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id, payment_status="unpaid")
    deliver(event("checkout.session.completed", session))
    assert deliver(event("checkout.session.async_payment_failed", session)).status_code == 200
    assert not Subscription.objects.exists() and not Payment.objects.exists()


def test_deleted_event_overtaking_completed_leaves_subscription_canceled(catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    sub = {"id": session["subscription"], "object": "subscription", "status": "canceled"}
    assert deliver(event("customer.subscription.deleted", sub, created=200)).status_code == 200
    assert deliver(event("checkout.session.completed", session, created=100)).status_code == 200
    assert Subscription.objects.get().status == "canceled"


def test_late_update_does_not_resurrect_a_canceled_subscription(catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    deliver(event("checkout.session.completed", session, created=100))
    sub = {"id": session["subscription"], "object": "subscription", "status": "canceled"}
    deliver(event("customer.subscription.deleted", sub, created=300))
    late = {**sub, "status": "active"}
    assert deliver(event("customer.subscription.updated", late, created=200)).status_code == 200
    assert Subscription.objects.get().status == "canceled"


def test_database_down_answers_503_so_stripe_retries(catalog, settings):
    company, plan = catalog
    evt = event("checkout.session.completed", checkout_session(company.id, plan.id))
    db = settings.DATABASES["default"]
    saved = db["NAME"]
    connection.close()
    db["NAME"] = "no_such_database"
    try:
        response = deliver(evt)
    finally:
        connection.close()
        db["NAME"] = saved
    assert response.status_code == 503
    assert deliver(evt).status_code == 200
    assert Subscription.objects.count() == 1


def test_event_for_an_unknown_company_is_acknowledged_as_poison_and_not_marked_processed(catalog):
    # No retry can make the company exist: any answer but 2xx has Stripe resend it for days.
    _, plan = catalog
    response = deliver(event("checkout.session.completed", checkout_session(999999, plan.id)))
    assert response.status_code == 200 and response.json()["poison"] is True
    assert not ProcessedWebhookEvent.objects.exists() and not Subscription.objects.exists()


def test_event_types_the_app_does_not_handle_are_acknowledged(catalog):
    response = deliver(event("invoice.paid", {"id": "in_1", "object": "invoice"}))
    assert response.status_code == 200 and response.json()["ignored"] is True
