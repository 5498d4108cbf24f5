"""The incident's two variants behave as the incident says, bugs included."""

from __future__ import annotations

import threading

import pytest
from django.test import Client

from paychaos.reference_app.payments.models import Payment, Subscription
from paychaos.reference_app.payments.variants.seed_fix import SeedFixVariant
from tests.reference_app.conftest import HARNESS_AUTH, WEBHOOK_SECRET
from tests.reference_app.stripe_events import checkout_session, encode, event, sign
from tests.reference_app.threads import together

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(evt: dict):
    payload = encode(evt)
    return Client().post(
        "/api/stripe/webhook/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, WEBHOOK_SECRET)},
    )


def validate(session_id: str):
    return Client().post(f"/api/payments/validate/{session_id}/")


def test_original_webhook_fails_and_rolls_back_when_redis_is_down(catalog, payments_config):
    payments_config(variant="seed_original")
    company, plan = catalog
    response = deliver(event("checkout.session.completed", checkout_session(company.id, plan.id)))
    assert response.status_code == 500
    assert "Error" in response.json()["error"]  # redis-py's "Error 111 connecting to ..."
    assert not Subscription.objects.exists() and not Payment.objects.exists()


def test_original_validate_fallback_tells_a_paying_customer_failed_when_redis_is_down(
    catalog, payments_config, stripe_stub
):
    payments_config(variant="seed_original")
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    stripe_stub.sessions[session["id"]] = session
    response = validate(session["id"])
    assert response.json()["status"] == "failed"
    assert not Subscription.objects.exists()


def test_original_works_when_redis_is_up(catalog, payments_config, redis_url):
    payments_config(variant="seed_original")
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    assert Subscription.objects.filter(status="active").count() == 1


# seed_fix ---------------------------------------------------------------------------------


def test_fix_webhook_succeeds_with_redis_down_and_the_notification_is_lost(
    catalog, payments_config
):
    payments_config(variant="seed_fix")
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    assert deliver(event("checkout.session.completed", session)).status_code == 200
    assert Subscription.objects.filter(status="active").count() == 1
    drained = Client().post("/api/_internal/notifications/drain/", **HARNESS_AUTH).json()
    assert drained == {"sent": 0, "pending": 0, "error": None}  # nothing remembers it


def test_fix_validate_creates_the_subscription_when_the_webhook_never_came(
    catalog, payments_config, stripe_stub
):
    payments_config(variant="seed_fix")
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    stripe_stub.sessions[session["id"]] = session
    assert validate(session["id"]).json()["status"] == "success"
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 1


def test_fix_stays_silent_after_redis_returns_if_it_was_down_at_start_up(catalog, request):
    variant = SeedFixVariant()
    variant.on_startup()  # Redis is a closed port: notifications off for good
    request.getfixturevalue("redis_url")  # Redis comes back
    company, plan = catalog
    subscription = variant.handle_checkout_completed(checkout_session(company.id, plan.id))
    assert variant.notifications.notify_activation(subscription, "cs_x") is False


class _PausedBeforeInsert(SeedFixVariant):
    """seed_fix with both callers held between their ``exists()`` check and the insert,
    as the ``fulfil.before_insert`` failpoint would hold them."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties)

    def create_subscription(self, session):
        self.barrier.wait(timeout=10)
        return super().create_subscription(session)


def test_fix_webhook_racing_the_simulated_webhook_creates_two_subscriptions(catalog):
    variant = _PausedBeforeInsert(parties=2)
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    results = together(
        lambda: variant.handle_checkout_completed(session),  # the webhook
        lambda: variant.handle_checkout_completed(session),  # validate's simulated webhook
    )
    assert all(isinstance(r, Subscription) for r in results)
    assert Subscription.objects.filter(checkout_session_id=session["id"]).count() == 2
    assert Payment.objects.filter(checkout_session_id=session["id"]).count() == 2


def test_fix_independent_service_alone_is_serialised_by_the_company_lock(catalog):
    variant = SeedFixVariant()
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    together(
        lambda: variant.subscriptions.create_for_session(session),
        lambda: variant.subscriptions.create_for_session(session),
    )
    assert Subscription.objects.filter(checkout_session_id=session["id"]).count() == 1
