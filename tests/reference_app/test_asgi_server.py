"""The app served for real by uvicorn over ASGI: HTTP through Django, the webhook end to end."""

from __future__ import annotations

import pytest
import requests

from paychaos.reference_app.payments.models import Subscription
from tests.reference_app.conftest import WEBHOOK_SECRET
from tests.reference_app.stripe_events import checkout_session, encode, event, sign

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_names_the_variant(app_server):
    response = requests.get(f"{app_server.url}/healthz", timeout=5)
    assert response.status_code == 200 and response.json() == {"status": "ok", "variant": "correct"}


def test_signed_webhook_over_http_fulfils(catalog, app_server):
    company, plan = catalog
    session = checkout_session(company.id, plan.id)
    payload = encode(event("checkout.session.completed", session))
    response = requests.post(
        f"{app_server.url}/api/stripe/webhook/",
        data=payload,
        headers={
            "Stripe-Signature": sign(payload, WEBHOOK_SECRET),
            "Content-Type": "application/json",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert (
        Subscription.objects.filter(checkout_session_id=session["id"], status="active").count() == 1
    )
