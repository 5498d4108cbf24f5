"""Webhook delivery policies: each fault's effect on what a real receiver gets."""

from __future__ import annotations

import json

import pytest
import stripe
from emulator_helpers import subscription_session, webhook_endpoint

from paychaos.stripe_emulator import EmulatorControlError, StripeEmulator
from paychaos.testing.webhook_receiver import WebhookReceiver

COMPLETED = "checkout.session.completed"


@pytest.fixture
def receiver():
    with WebhookReceiver() as rx:
        yield rx


def _setup(client, ctl, rx, events=(COMPLETED,)):
    endpoint = webhook_endpoint(client, rx.url, list(events))
    session = subscription_session(client)
    ctl.complete_session(session.id)
    return endpoint


def _types(rx) -> list[str]:
    return [json.loads(r.body)["type"] for r in rx.received]


def test_drop_once_loses_the_first_attempt_and_the_retry_delivers(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "drop", "event_type": COMPLETED, "times": 1}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    attempts = paychaos_emulator_control.drain()
    assert [(a["attempt"], a["delivered"], a["policy"]) for a in attempts] == [
        (1, False, "drop"),
        (2, True, None),
    ]
    assert attempts[0]["error"] == "dropped by delivery policy"
    assert len(receiver.received) == 1


def test_drop_always_gives_up_and_pending_webhooks_stays(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy({"action": "drop", "event_type": COMPLETED})
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    attempts = paychaos_emulator_control.drain()
    assert len(attempts) == 4 and not any(a["delivered"] for a in attempts)
    assert receiver.received == []
    event = paychaos_emulator_control.events(type=COMPLETED)[0]
    assert event["pending_webhooks"] == 1
    assert paychaos_emulator_control.outbox()[0]["state"] == "gave_up"


def test_drop_the_first_attempts_of_each_delivery(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy({"action": "drop", "attempts": 2})
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    assert [a["delivered"] for a in paychaos_emulator_control.drain()] == [False, False, True]


def test_unsigned_deliveries_carry_no_signature_header(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy({"action": "unsigned", "times": 1})
    endpoint = _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    paychaos_emulator_control.deliver_due()
    got = receiver.received[0]
    assert "Stripe-Signature" not in got.headers
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            got.body, got.headers.get("Stripe-Signature"), endpoint.secret
        )


def test_attempt_numbers_select_which_attempts_fail(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy({"action": "drop", "attempt": [1, 2]})
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    assert [a["delivered"] for a in paychaos_emulator_control.drain()] == [False, False, True]


@pytest.mark.parametrize("concurrent", [False, True])
def test_duplicate_sends_identical_copies(
    paychaos_stripe, paychaos_emulator_control, receiver, concurrent
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "duplicate", "event_type": COMPLETED, "copies": 3, "concurrent": concurrent}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    attempts = paychaos_emulator_control.drain()
    assert len(attempts) == 3 and all(a["policy"] == "duplicate" for a in attempts)
    bodies = {(r.body, r.headers["Stripe-Signature"]) for r in receiver.received}
    assert len(receiver.received) == 3 and len(bodies) == 1
    assert paychaos_emulator_control.events(type=COMPLETED)[0]["pending_webhooks"] == 0


def test_delay_waits_for_the_emulator_clock(paychaos_stripe, paychaos_emulator_control, receiver):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "delay", "event_type": COMPLETED, "seconds": 3600}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    assert paychaos_emulator_control.deliver_due() == []
    paychaos_emulator_control.advance_clock(3599)
    assert paychaos_emulator_control.deliver_due() == []
    paychaos_emulator_control.advance_clock(1)
    assert [a["delivered"] for a in paychaos_emulator_control.deliver_due()] == [True]


def test_hold_reorders_an_event_after_later_ones(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "hold", "event_type": "customer.subscription.created"}
    )
    _setup(
        paychaos_stripe,
        paychaos_emulator_control,
        receiver,
        events=["customer.subscription.created", "invoice.paid", COMPLETED],
    )
    paychaos_emulator_control.drain()
    assert _types(receiver) == ["invoice.paid", "customer.subscription.created", COMPLETED]


def test_held_events_are_released_by_drain_when_nothing_follows(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "hold", "event_type": COMPLETED, "after": 5}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    assert paychaos_emulator_control.deliver_due() == []
    assert [a["delivered"] for a in paychaos_emulator_control.drain()] == [True]


@pytest.mark.parametrize("action", ["bad_signature", "wrong_secret", "stale_timestamp"])
def test_forged_signatures_are_rejected_by_construct_event(
    paychaos_stripe, paychaos_emulator_control, receiver, action
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": action, "event_type": COMPLETED, "times": 1}
    )
    endpoint = _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    paychaos_emulator_control.deliver_due()
    got = receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(got.body, got.headers["Stripe-Signature"], endpoint.secret)
    if action == "stale_timestamp":  # a valid signature, only too old
        stripe.Webhook.construct_event(
            got.body, got.headers["Stripe-Signature"], endpoint.secret, tolerance=0
        )


def test_replay_policy_resends_the_captured_bytes_later(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "replay", "event_type": COMPLETED, "after": 7200}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    paychaos_emulator_control.deliver_due()
    assert len(receiver.received) == 1
    paychaos_emulator_control.advance_clock(7200)
    replayed = paychaos_emulator_control.deliver_due()
    assert [a["policy"] for a in replayed] == ["replay"]
    first, second = receiver.received
    assert (first.body, first.headers["Stripe-Signature"]) == (
        second.body,
        second.headers["Stripe-Signature"],
    )


def test_control_replay_sends_a_delivered_event_again_byte_for_byte(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    paychaos_emulator_control.drain()
    event_id = paychaos_emulator_control.events(type=COMPLETED)[0]["id"]
    paychaos_emulator_control.advance_clock(3 * 86400)
    again = paychaos_emulator_control.replay_delivery(event_id)
    assert again[0]["policy"] == "replay" and again[0]["delivered"] is True
    assert receiver.received[0].body == receiver.received[1].body
    assert (
        receiver.received[0].headers["Stripe-Signature"]
        == receiver.received[1].headers["Stripe-Signature"]
    )


def test_forced_timeout_counts_a_failure_although_the_endpoint_answered(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "timeout", "event_type": COMPLETED, "times": 1}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    attempts = paychaos_emulator_control.drain()
    assert [a["delivered"] for a in attempts] == [False, True]
    assert "endpoint answered 200" in attempts[0]["error"]
    assert len(receiver.received) == 2  # the app saw it twice


def test_real_timeout_with_seconds_gives_up_on_a_slow_endpoint(
    paychaos_stripe, paychaos_emulator_control
):
    with WebhookReceiver(delay=0.5) as slow:
        paychaos_emulator_control.add_delivery_policy(
            {"action": "timeout", "seconds": 0.05, "times": 1}
        )
        _setup(paychaos_stripe, paychaos_emulator_control, slow)
        attempt = paychaos_emulator_control.deliver_due()[0]
        assert attempt["error"].startswith("timeout")


def test_twin_emits_two_distinct_events_for_one_change(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.add_delivery_policy(
        {"action": "twin", "event_type": COMPLETED, "times": 1}
    )
    _setup(paychaos_stripe, paychaos_emulator_control, receiver)
    events = paychaos_emulator_control.events(type=COMPLETED)
    assert len(events) == 2
    assert events[0]["id"] != events[1]["id"]
    assert events[0]["data"] == events[1]["data"]
    paychaos_emulator_control.drain()
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 2


def test_policies_by_endpoint_touch_only_that_endpoint(paychaos_stripe, paychaos_emulator_control):
    with WebhookReceiver() as a, WebhookReceiver() as b:
        ep_a = webhook_endpoint(paychaos_stripe, a.url, [COMPLETED])
        webhook_endpoint(paychaos_stripe, b.url, [COMPLETED])
        paychaos_emulator_control.add_delivery_policy({"action": "drop", "endpoint_id": ep_a.id})
        session = subscription_session(paychaos_stripe)
        paychaos_emulator_control.complete_session(session.id)
        paychaos_emulator_control.deliver_due()
        assert (len(a.received), len(b.received)) == (0, 1)


def test_seeded_probability_makes_the_same_choices_each_run(receiver):
    def run() -> list[bool]:
        with StripeEmulator(seed=5, delivery="manual") as emu:
            client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
            webhook_endpoint(client, receiver.url, ["customer.created"])
            emu.control.add_delivery_policy({"action": "drop", "probability": 0.5})
            for _ in range(12):
                client.v1.customers.create({})
            return [a["delivered"] for a in emu.control.deliver_due()]

    first = run()
    assert first == run()
    assert True in first and False in first


def test_live_schedule_retries_for_about_three_days(receiver):
    with (
        StripeEmulator(delivery="manual", retry_schedule="live") as emu,
        WebhookReceiver(default_status=500) as rx,
    ):
        client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
        webhook_endpoint(client, rx.url, ["customer.created"])
        client.v1.customers.create({})
        start = emu.control.now()
        attempts = emu.control.drain()
        assert len(attempts) == 13
        span = attempts[-1]["emulator_time"] - start
        assert 2 * 86400 < span <= 3 * 86400


def test_rules_are_plain_data_listed_with_counters_and_cleared(paychaos_emulator_control):
    rule = paychaos_emulator_control.add_delivery_policy(
        {"action": "drop", "event_type": "invoice.*", "times": 2}
    )
    assert rule["id"] and rule["fired"] == 0
    replaced = paychaos_emulator_control.set_delivery_policy(
        [{"action": "deliver"}, {"action": "duplicate", "copies": 2}]
    )
    assert [r["action"] for r in replaced] == ["deliver", "duplicate"]
    paychaos_emulator_control.clear_faults()
    assert paychaos_emulator_control.delivery_policies() == []


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"action": "teleport"}, "teleport"),
        ({"action": "drop", "colour": "red"}, "colour"),
        ({"action": "duplicate", "copies": 0}, "copies"),
        ({"action": "drop", "probability": 2}, "probability"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(paychaos_emulator_control, spec, named):
    with pytest.raises(EmulatorControlError) as info:
        paychaos_emulator_control.add_delivery_policy(spec)
    assert info.value.status == 400
    assert named in str(info.value)
