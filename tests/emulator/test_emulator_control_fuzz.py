"""Fuzzing the emulator's control API (``/_paychaos/``): whatever JSON arrives, the answer is
a 2xx or a 4xx with a message, never a 5xx, and the server keeps answering.

Also the bounds themselves: nesting depth, body size, clock advances, seeds. Each fuzz test
sends a bounded number of examples (Hypothesis ``max_examples``), derandomized.
"""

from __future__ import annotations

import json

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from paychaos.stripe_emulator import StripeEmulator
from paychaos.stripe_emulator.clock import LATEST_TIME, MAX_ADVANCE_SECONDS
from tests.fuzzing import any_json, fuzz_settings

FUZZ = fuzz_settings(250)
P = "/_paychaos"
POSTS = [
    "/reset",
    "/checkout/sessions/{session}/complete",
    "/checkout/sessions/{session}/async_payment",
    "/checkout/sessions/{session}/expire",
    "/subscriptions/{subscription}/cancel",
    "/clock/advance",
    "/deliveries/deliver_due",
    "/deliveries/drain",
    "/delivery_mode",
    "/deliveries/replay",
    "/deliveries/release_held",
    "/delivery_policies",
    "/api_faults",
    "/faults/clear",
    "/shadow/clear",
]
GETS = ["/health", "/clock", "/events", "/deliveries", "/outbox", "/delivery_policies",
        "/api_faults", "/delivery_mode", "/shadow?wait=0"]  # fmt: skip
KEYS = st.sampled_from(
    ["seed", "seconds", "outcome", "succeeded", "reason", "max_seconds", "advance_clock",
     "mode", "event_id", "endpoint_id", "rules", "replace", "action", "times", "first",
     "probability", "id", "event_type", "attempt", "method", "path", "status", "seconds_late",
     "kind", "copies", "ms", "x"]
)  # fmt: skip
JSON = any_json(
    ["paid", "delayed", "declined", "drop", "duplicate", "delay", "hold", "error", "latency",
     "hang", "reset", "*", "GET", "manual", "auto", "delivery", "api",
     "checkout.session.completed"],
    KEYS,
)  # fmt: skip
BODIES = st.one_of(st.dictionaries(KEYS, JSON, max_size=6), JSON)


@pytest.fixture(scope="module")
def emulator():
    """This module's own: the tests reset it and move its clock to the year 9999."""
    with StripeEmulator(seed=0, delivery="manual") as emu:
        yield emu


@pytest.fixture(scope="module")
def http(emulator):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {emulator.api_key}"
    return session


def _ids(emulator) -> dict[str, str]:
    """A real session and subscription, so paths reach the handlers and not only 404."""
    import stripe

    client = stripe.StripeClient(emulator.api_key, base_addresses={"api": emulator.url})
    price = client.v1.prices.create(
        params={
            "currency": "usd",
            "unit_amount": 500,
            "recurring": {"interval": "month"},
            "product_data": {"name": "fuzz"},
        }
    )
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "success_url": "https://x.test/ok",
            "line_items": [{"price": price.id, "quantity": 1}],
        }
    )
    emulator.control.complete_session(session.id)
    paid = client.v1.checkout.sessions.retrieve(session.id)
    return {"session": session.id, "subscription": str(paid.subscription)}


def _check(response: requests.Response, what: object) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.json()["error"]["message"], what


@FUZZ
@given(path=st.sampled_from(POSTS), body=BODIES, use_real=st.booleans())
def test_json_bodies_never_get_a_5xx(emulator, http, path, body, use_real):
    ids = _ids(emulator) if use_real else {"session": "cs_test_x", "subscription": "sub_x"}
    url = emulator.url + P + path.format(**ids)
    _check(http.post(url, data=json.dumps(body), timeout=30), (path, body))
    _check(http.get(emulator.url + P + "/health", timeout=30), "health after " + path)


@FUZZ
@given(path=st.sampled_from(POSTS), raw=st.binary(max_size=300))
def test_raw_bodies_never_get_a_5xx(emulator, http, path, raw):
    url = emulator.url + P + path.format(session="cs_test_x", subscription="sub_x")
    _check(http.post(url, data=raw, timeout=30), (path, raw))


@pytest.mark.parametrize(
    ("method", "path"), [*(("POST", p) for p in POSTS), *(("GET", p) for p in GETS)]
)
def test_deep_and_huge_bodies_are_refused_with_400_on_every_endpoint(emulator, http, method, path):
    url = emulator.url + P + path.format(session="cs_test_x", subscription="sub_x")
    deep = http.request(method, url, data=b"[" * 100_000 + b"]" * 100_000, timeout=30)
    assert deep.status_code == 400 and "deeper than" in deep.json()["error"]["message"]
    huge = http.request(method, url, data=b'{"x": "' + b"y" * (2 << 20) + b'"}', timeout=30)
    assert huge.status_code == 413, huge.text[:200]


def test_clock_advances_are_bounded_with_a_clear_error(emulator, http):
    emulator.control.reset(0)
    url = emulator.url + P + "/clock/advance"
    before = emulator.control.now()
    for seconds, says in (
        (10**9, "at most"),
        (MAX_ADVANCE_SECONDS + 1, "at most"),
        (-1, "forward"),
    ):
        answer = http.post(url, json={"seconds": seconds}, timeout=30)
        assert answer.status_code == 400 and says in answer.json()["error"]["message"], answer.text
    assert emulator.control.now() == before  # a refused advance moves nothing
    # Up to the last representable second in steps of the largest advance, then not past it.
    while emulator.control.now() + MAX_ADVANCE_SECONDS <= LATEST_TIME:
        emulator.control.advance_clock(MAX_ADVANCE_SECONDS)
    past = http.post(url, json={"seconds": LATEST_TIME - emulator.control.now() + 1}, timeout=30)
    assert past.status_code == 400 and "9999" in past.json()["error"]["message"], past.text
    assert emulator.control.advance_clock(LATEST_TIME - emulator.control.now()) == LATEST_TIME
    emulator.control.reset(0)


def test_an_advance_that_would_renew_too_often_is_refused(emulator, http):
    emulator.control.reset(0)
    for _ in range(100):  # 100 monthly subscriptions: two years renew each 24 times
        _ids(emulator)
    answer = http.post(
        emulator.url + P + "/clock/advance", json={"seconds": MAX_ADVANCE_SECONDS}, timeout=30
    )
    assert answer.status_code == 400 and "renew" in answer.json()["error"]["message"]
    assert emulator.control.advance_clock(32 * 86400) > 0  # a month is fine
    emulator.control.reset(0)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, "3", True, [1]])
def test_a_reset_to_a_seed_that_is_no_seed_is_refused(emulator, http, seed):
    answer = http.post(emulator.url + P + "/reset", json={"seed": seed}, timeout=30)
    assert answer.status_code == 400 and "seed" in answer.json()["error"]["message"]
    assert emulator.control.health()["seed"] == 0
