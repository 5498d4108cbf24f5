"""Correctly signed events the ``correct`` variant can never apply: acknowledged as poison
(2xx, logged, nothing written), never a 5xx that has Stripe retry the same bytes for days;
an error a retry can cure still answers 503. Includes a fuzz test of malformed signed events
(a bounded number of examples)."""

from __future__ import annotations

import copy
import json
import logging

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from paychaos.reference_app.payments.models import (
    CheckoutFulfilment,
    Payment,
    ProcessedWebhookEvent,
    Subscription,
)
from tests.fuzzing import fuzz_settings
from tests.reference_app.conftest import WEBHOOK_SECRET
from tests.reference_app.stripe_events import checkout_session, event, sign

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/stripe/webhook/"
LONG = "x" * 300  # longer than every id column (255)


def post_signed(payload: bytes):
    return Client().post(
        URL,
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload, WEBHOOK_SECRET)},
    )


def _nothing_written() -> bool:
    return not (
        Subscription.objects.exists()
        or Payment.objects.exists()
        or CheckoutFulfilment.objects.exists()
        or ProcessedWebhookEvent.objects.exists()
    )


def _malformed(company_id: int, plan_id: int) -> dict[str, bytes]:
    good = event("checkout.session.completed", checkout_session(company_id, plan_id))

    def changed(path: tuple[str, ...], value: object) -> bytes:
        evt = copy.deepcopy(good)
        node = evt
        for key in path[:-1]:
            node = node[key]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return json.dumps(evt).encode()

    return {
        "type a list": changed(("type",), ["checkout.session.completed"]),
        "data null": changed(("data",), None),
        "data.object a string": changed(("data", "object"), "cs_test_1"),
        "object without id": changed(("data", "object", "id"), KeyError),
        "event without id": changed(("id",), KeyError),
        "event id too long": changed(("id",), "evt_" + LONG),
        "session id too long": changed(("data", "object", "id"), "cs_" + LONG),
        "subscription id too long": changed(("data", "object", "subscription"), "sub_" + LONG),
        "customer id too long": changed(("data", "object", "customer"), "cus_" + LONG),
        "company id out of range": changed(("data", "object", "metadata", "company_id"), "9" * 30),
        "amount a string": changed(("data", "object", "amount_total"), "lots"),
        "currency too long": changed(("data", "object", "currency"), "dollars"),
        "metadata a list": changed(("data", "object", "metadata"), ["company_id"]),
        "created huge": changed(("created",), 10**30),
        "NUL in an id": changed(("data", "object", "subscription"), "sub_\x00"),
        "100,000-deep JSON": b"[" * 100_000 + b"]" * 100_000,
        "deep object": json.dumps(
            {"id": "evt_1", "type": "x", "data": json.loads("[" * 200 + "]" * 200)}
        ).encode(),
        "not JSON": b"not json {",
        "a JSON list": b"[1, 2]",
    }


@pytest.mark.parametrize(
    "case",
    ["type a list", "data null", "data.object a string", "object without id", "event without id",
     "event id too long", "session id too long", "subscription id too long",
     "customer id too long", "company id out of range", "amount a string", "currency too long",
     "metadata a list", "created huge", "NUL in an id", "100,000-deep JSON", "deep object",
     "not JSON", "a JSON list"],
)  # fmt: skip
def test_a_signed_event_that_can_never_apply_is_acknowledged_as_poison(catalog, case, caplog):
    company, plan = catalog
    payload = _malformed(company.id, plan.id)[case]
    with caplog.at_level(logging.ERROR, logger="paychaos.reference_app.payments.correct"):
        response = post_signed(payload)
    assert response.status_code == 200, (case, response.status_code, response.content[:300])
    assert response.json()["poison"] is True
    assert "acknowledged as poison" in caplog.text
    assert _nothing_written()


def test_the_same_event_well_formed_still_fulfils(catalog):
    # The poison checks refuse only what is malformed: the event they were made from works.
    company, plan = catalog
    good = event("checkout.session.completed", checkout_session(company.id, plan.id))
    response = post_signed(json.dumps(good).encode())
    assert response.status_code == 200 and "poison" not in response.json()
    assert Subscription.objects.filter(status="active").count() == 1


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False), st.text(max_size=20), st.text(min_size=250, max_size=300),
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
HANDLED = ["checkout.session.completed", "checkout.session.async_payment_succeeded",
           "checkout.session.async_payment_failed", "checkout.session.expired",
           "customer.subscription.deleted", "customer.subscription.updated"]  # fmt: skip
OBJECT_FIELDS = ["id", "payment_status", "status", "subscription", "customer", "amount_total",
                 "currency", "metadata", "object"]  # fmt: skip


@st.composite
def malformed_events(draw, company_id: int, plan_id: int) -> dict:
    """A Stripe-shaped event of a handled type with some fields replaced by any JSON."""
    evt = event(draw(st.sampled_from(HANDLED)), checkout_session(company_id, plan_id))
    obj = evt["data"]["object"]
    for name in draw(st.lists(st.sampled_from(OBJECT_FIELDS), max_size=4, unique=True)):
        obj[name] = draw(JSON)
    if draw(st.booleans()):
        obj["metadata"] = draw(st.dictionaries(st.sampled_from(["company_id", "plan_id"]), JSON))
    for name in draw(st.lists(st.sampled_from(["id", "type", "created", "data"]), max_size=2)):
        evt[name] = draw(JSON)
    return evt


@fuzz_settings(150)
@given(data=st.data())
def test_fuzzed_signed_events_never_get_a_5xx(catalog, data):
    company, plan = catalog
    evt = data.draw(malformed_events(company.id, plan.id))
    response = post_signed(json.dumps(evt).encode())
    assert response.status_code < 500, (evt, response.status_code, response.content[:300])


@pytest.mark.parametrize("path", ["/api/checkout/", "/api/companies/", "/api/plans/"])
def test_the_json_api_answers_400_to_deep_json_and_to_values_no_column_takes(catalog, path):
    deep = Client().post(
        path, data=b"[" * 100_000 + b"]" * 100_000, content_type="application/json"
    )
    assert deep.status_code == 400, deep.content[:200]
    huge = Client().post(
        path, data=json.dumps({"company_id": 10**30, "plan_id": 10**30, "name": "x" * 300,
                               "amount": 10**30, "stripe_price_id": "p" * 300}),
        content_type="application/json",
    )  # fmt: skip
    assert huge.status_code < 500, huge.content[:300]
