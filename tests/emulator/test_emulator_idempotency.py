"""Idempotency-Key as the fact sheet states it, through the stripe library and raw HTTP."""

from __future__ import annotations

import threading

import pytest
import requests
import stripe
from emulator_helpers import recurring_price


def _post(emu, key: str, **data):
    headers = {"Authorization": f"Bearer {emu.api_key}", "Idempotency-Key": key}
    return requests.post(f"{emu.url}/v1/customers", data=data, headers=headers, timeout=10)


def test_same_key_same_params_replays_the_first_response(paychaos_emulator, paychaos_stripe):
    first = _post(paychaos_emulator, "k1", email="a@b.c")
    second = _post(paychaos_emulator, "k1", email="a@b.c")
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Idempotency-Key"] == "k1"
    assert len(paychaos_stripe.v1.customers.list().data) == 1


def test_same_key_other_params_is_an_idempotency_error(paychaos_stripe):
    price = recurring_price(paychaos_stripe)
    params = {
        "mode": "subscription",
        "success_url": "http://x",
        "line_items": [{"price": price.id, "quantity": 1}],
    }
    paychaos_stripe.v1.checkout.sessions.create(params, {"idempotency_key": "k2"})
    with pytest.raises(stripe.IdempotencyError) as info:
        paychaos_stripe.v1.checkout.sessions.create(
            {**params, "client_reference_id": "x"}, {"idempotency_key": "k2"}
        )
    assert info.value.http_status == 400


def test_a_request_failing_validation_stores_nothing(paychaos_emulator):
    assert _post(paychaos_emulator, "k3", colour="red").status_code == 400
    ok = _post(paychaos_emulator, "k3", email="a@b.c")
    assert ok.status_code == 200
    assert "Idempotent-Replayed" not in ok.headers


def test_a_concurrent_twin_gets_409_and_stores_nothing(
    paychaos_emulator, paychaos_stripe, paychaos_emulator_control
):
    paychaos_emulator_control.add_api_fault(
        {"action": "latency", "seconds": 0.5, "method": "POST", "path": "/v1/customers", "first": 1}
    )
    results = {}
    slow = threading.Thread(
        target=lambda: results.setdefault("first", _post(paychaos_emulator, "k4", email="a@b.c"))
    )
    slow.start()
    import time

    time.sleep(0.15)
    twin = _post(paychaos_emulator, "k4", email="a@b.c")
    slow.join()
    assert twin.status_code == 409
    assert twin.json()["error"]["type"] == "idempotency_error"
    assert results["first"].status_code == 200
    after = _post(paychaos_emulator, "k4", email="a@b.c")
    assert after.json()["id"] == results["first"].json()["id"]


def test_library_retries_turn_a_409_into_the_replayed_result(
    paychaos_emulator, paychaos_emulator_control
):
    paychaos_emulator_control.add_api_fault(
        {"action": "latency", "seconds": 0.4, "method": "POST", "path": "/v1/customers", "first": 1}
    )
    client = stripe.StripeClient(
        paychaos_emulator.api_key,
        base_addresses={"api": paychaos_emulator.url},
        max_network_retries=3,
    )
    results = {}
    slow = threading.Thread(
        target=lambda: results.setdefault(
            "first", client.v1.customers.create({"email": "a@b.c"}, {"idempotency_key": "k5"})
        )
    )
    slow.start()
    import time

    time.sleep(0.1)
    twin = client.v1.customers.create({"email": "a@b.c"}, {"idempotency_key": "k5"})
    slow.join()
    assert twin.id == results["first"].id
    assert len(client.v1.customers.list().data) == 1


def test_keys_expire_after_24_hours_of_emulator_time(
    paychaos_emulator, paychaos_stripe, paychaos_emulator_control
):
    first = _post(paychaos_emulator, "k6", email="a@b.c").json()["id"]
    paychaos_emulator_control.advance_clock(24 * 3600 - 1)
    assert _post(paychaos_emulator, "k6", email="a@b.c").json()["id"] == first
    paychaos_emulator_control.advance_clock(1)
    assert _post(paychaos_emulator, "k6", email="a@b.c").json()["id"] != first


def test_overlong_keys_are_refused(paychaos_emulator):
    response = _post(paychaos_emulator, "k" * 256, email="a@b.c")
    assert response.status_code == 400


def test_get_requests_ignore_the_key(paychaos_emulator, paychaos_stripe):
    headers = {"Authorization": f"Bearer {paychaos_emulator.api_key}", "Idempotency-Key": "k7"}
    requests.get(f"{paychaos_emulator.url}/v1/customers", headers=headers, timeout=5)
    assert _post(paychaos_emulator, "k7", email="a@b.c").status_code == 200
