"""The validate endpoint of the correct variant, with Stripe reached over real HTTP."""

from __future__ import annotations

import pytest
from django.test import Client

from paychaos.reference_app.payments.models import Payment, Subscription
from tests.reference_app.conftest import WEBHOOK_SECRET
from tests.reference_app.stripe_events import checkout_session, encode, event, sign

pytestmark = pytest.mark.django_db(transaction=True)


def validate(session_id: str):
    return Client().post(f"/api/payments/validate/{session_id}/")


def test_validate_before_the_webhook_fulfils_once_and_the_late_webhook_changes_nothing(
    catalog, stripe_stub
):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    stripe_stub.sessions[session["id"]] = session
    first = validate(session["id"])
    assert first.status_code == 200 and first.json()["status"] == "success"
    payload = encode(event("checkout.session.completed", session))
    late = Client().post(
        "/api/stripe/webhook/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, WEBHOOK_SECRET)},
    )
    assert late.status_code == 200
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 1
    assert validate(session["id"]).json()["subscription_id"] == first.json()["subscription_id"]


def test_stripe_unreachable_answers_pending_never_failed(catalog, stripe_stub):
    company, plan = catalog
    stripe_stub.fail = True
    body = validate(checkout_session(company.id, plan.id)["id"]).json()
    assert body["status"] == "pending"
    assert not Subscription.objects.exists()


def test_open_unpaid_session_is_pending(catalog, stripe_stub):
    company, plan = catalog
    session = checkout_session(company.id, plan.id, status="open", payment_status="unpaid")
    stripe_stub.sessions[session["id"]] = session
    assert validate(session["id"]).json()["status"] == "pending"
    assert not Subscription.objects.exists()


def test_expired_session_is_failed(catalog, stripe_stub):
    company, plan = catalog
    session = checkout_session(company.id, plan.id, status="expired", payment_status="unpaid")
    stripe_stub.sessions[session["id"]] = session
    assert validate(session["id"]).json()["status"] == "failed"


def test_fulfilled_session_is_success_even_when_stripe_is_down(catalog, stripe_stub):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    stripe_stub.sessions[session["id"]] = session
    assert validate(session["id"]).json()["status"] == "success"
    stripe_stub.fail = True
    assert validate(session["id"]).json()["status"] == "success"


def test_paid_session_with_redis_down_is_success(catalog, stripe_stub):
    # Redis is a closed port in these tests: the activation stays in the outbox.
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    stripe_stub.sessions[session["id"]] = session
    assert validate(session["id"]).json()["status"] == "success"
    assert Subscription.objects.filter(status="active").count() == 1
