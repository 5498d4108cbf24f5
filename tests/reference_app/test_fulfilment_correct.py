"""The correct variant's fulfilment service, on a real Postgres with real transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from paychaos.reference_app.payments.models import (
    CheckoutFulfilment,
    NotificationOutbox,
    Payment,
    Subscription,
)
from paychaos.reference_app.payments.variants.registry import get_variant
from tests.reference_app.stripe_events import checkout_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def correct():
    return get_variant("correct")


def test_paid_session_is_fulfilled_once_however_often_it_is_called(correct, catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    first = correct.fulfil(session, source="webhook")
    second = correct.fulfil(session, source="validate")
    assert first.created and not second.created
    assert first.subscription_id == second.subscription_id
    assert (
        Subscription.objects.filter(checkout_session_id=session["id"], status="active").count() == 1
    )
    assert Payment.objects.filter(checkout_session_id=session["id"]).count() == 1


def test_unpaid_session_gets_no_subscription(correct, catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id, payment_status="unpaid")
    result = correct.fulfil(session, source="webhook")
    assert not result.fulfilled
    assert not Subscription.objects.exists() and not Payment.objects.exists()


def test_concurrent_fulfilment_from_two_connections_creates_one_subscription(correct, catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def fulfil() -> None:
        try:
            barrier.wait(timeout=5)
            results.append(correct.fulfil(session, source=threading.current_thread().name))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fulfil, name=f"caller-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    assert not errors
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.subscription_id for r in results}) == 1
    assert Subscription.objects.filter(checkout_session_id=session["id"]).count() == 1
    assert Payment.objects.filter(checkout_session_id=session["id"]).count() == 1


def test_the_database_refuses_a_second_fulfilment_key_for_one_session(catalog):
    from django.db import IntegrityError, transaction

    CheckoutFulfilment.objects.create(checkout_session_id="cs_dup", source="webhook")
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckoutFulfilment.objects.create(checkout_session_id="cs_dup", source="validate")


def test_redis_unreachable_does_not_roll_back_fulfilment(correct, catalog):
    # REDIS_URL points at a closed loopback port: group_send raises ConnectionError.
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    result = correct.fulfil(session, source="webhook")
    assert result.created
    assert Subscription.objects.get(checkout_session_id=session["id"]).status == "active"
    outbox = NotificationOutbox.objects.get()
    assert outbox.sent_at is None and outbox.attempts >= 1
    assert "Error" in outbox.last_error


def test_deleted_before_completed_leaves_no_active_subscription(correct, catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    correct.cancel_subscription(session["subscription"], event_created=100)
    correct.fulfil(session, source="webhook")
    assert Subscription.objects.get(checkout_session_id=session["id"]).status == "canceled"


def test_canceled_subscription_is_not_resurrected_by_a_late_update(correct, catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    correct.fulfil(session, source="webhook", event_created=100)
    correct.cancel_subscription(session["subscription"], event_created=200)
    assert correct.apply_subscription_status(session["subscription"], "active", 150) == 0
    assert correct.apply_subscription_status(session["subscription"], "active", 300) == 0
    assert Subscription.objects.get().status == "canceled"


def test_an_older_status_update_never_overwrites_a_newer_one(correct, catalog):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    correct.fulfil(session, source="webhook", event_created=100)
    assert correct.apply_subscription_status(session["subscription"], "past_due", 300) == 1
    assert correct.apply_subscription_status(session["subscription"], "active", 200) == 0
    assert Subscription.objects.get().status == "past_due"


def test_webhook_and_validate_held_before_insert_still_fulfil_once(catalog):
    from paychaos.reference_app.payments.variants.correct import CorrectVariant

    class PausedBeforeClaim(CorrectVariant):
        """Both callers held right before the insert, as ``fulfil.before_insert`` would."""

        barrier = threading.Barrier(2)

        def claim_fulfilment(self, session_id, source):
            self.barrier.wait(timeout=10)
            return super().claim_fulfilment(session_id, source)

    variant = PausedBeforeClaim()
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    results, errors = [], []

    def fulfil(source: str) -> None:
        try:
            results.append(variant.fulfil(session, source=source))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fulfil, args=(s,)) for s in ("webhook", "validate")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    assert not errors
    assert sorted(r.created for r in results) == [False, True]
    assert Subscription.objects.filter(checkout_session_id=session["id"]).count() == 1
    assert Payment.objects.filter(checkout_session_id=session["id"]).count() == 1
