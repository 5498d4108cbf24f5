"""The app's failpoints, driven over the control endpoint the app mounts when asked to."""

from __future__ import annotations

import threading

import pytest
import requests

from paychaos.reference_app.payments.models import Payment, Subscription
from tests.reference_app.conftest import CLOSED_REDIS_URL, WEBHOOK_SECRET, running_app
from tests.reference_app.stripe_events import checkout_session, encode, event, sign

failpoints = pytest.importorskip("paychaos.failpoints")

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "test-failpoint-token"


@pytest.fixture
def served(stripe_stub):
    with running_app(
        CLOSED_REDIS_URL, PAYCHAOS_FAILPOINTS="1", PAYCHAOS_FAILPOINTS_TOKEN=TOKEN
    ) as app:
        yield app, failpoints.FailpointClient(app.url, TOKEN)


def deliver(url: str, evt: dict) -> requests.Response:
    payload = encode(evt)
    return requests.post(
        f"{url}/api/stripe/webhook/",
        data=payload,
        headers={
            "Stripe-Signature": sign(payload, WEBHOOK_SECRET),
            "Content-Type": "application/json",
        },
        timeout=20,
    )


def test_control_endpoint_is_absent_unless_enabled(app_server_without_redis):
    response = requests.put(
        f"{app_server_without_redis.url}/__failpoints/webhook.before_response",
        data="off",
        timeout=5,
    )
    assert response.status_code == 404


def test_failure_after_commit_before_the_answer_is_retried_into_one_subscription(catalog, served):
    (app, control) = served
    company, plan = catalog
    evt = event("checkout.session.completed", checkout_session(company.id, plan.id))
    control.set("webhook.before_response", "1*raise(builtins.RuntimeError, lost answer)->off")
    assert deliver(app.url, evt).status_code == 500  # the work is committed, the 2xx is lost
    assert Subscription.objects.count() == 1
    retry = deliver(app.url, evt)
    assert retry.status_code == 200 and retry.json()["duplicate"] is True
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 1


def test_webhook_and_validate_held_at_the_insert_fulfil_once(catalog, served, stripe_stub):
    (app, control) = served
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    stripe_stub.sessions[session["id"]] = session
    control.set("fulfil.before_insert", "pause(15000)")
    answers: dict[str, requests.Response] = {}
    calls = {
        "webhook": lambda: deliver(app.url, event("checkout.session.completed", session)),
        "validate": lambda: requests.post(
            f"{app.url}/api/payments/validate/{session['id']}/", timeout=20
        ),
    }
    threads = [
        threading.Thread(target=lambda k=k, c=c: answers.__setitem__(k, c()))
        for k, c in calls.items()
    ]
    for t in threads:
        t.start()
    control.wait_until_hit(
        "fulfil.before_insert", count=2, timeout=10
    )  # both past the session read
    control.release("fulfil.before_insert")
    control.clear("fulfil.before_insert")
    for t in threads:
        t.join(timeout=20)
    assert answers["webhook"].status_code == 200
    assert answers["validate"].json()["status"] == "success"
    assert Subscription.objects.filter(checkout_session_id=session["id"]).count() == 1
    assert Payment.objects.filter(checkout_session_id=session["id"]).count() == 1
