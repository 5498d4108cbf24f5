"""Signed webhook delivery over real HTTP, retries on the emulator clock, the attempt record."""

from __future__ import annotations

import time

import pytest
import stripe
from emulator_helpers import subscription_session, webhook_endpoint

from paychaos.testing.webhook_receiver import WebhookReceiver


@pytest.fixture
def receiver():
    with WebhookReceiver() as rx:
        yield rx


def _pay(client, ctl) -> str:
    session = subscription_session(client)
    ctl.complete_session(session.id)
    return session.id


def test_signatures_pass_construct_event_and_fail_when_tampered(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    endpoint = webhook_endpoint(paychaos_stripe, receiver.url, ["checkout.session.completed"])
    _pay(paychaos_stripe, paychaos_emulator_control)
    attempts = paychaos_emulator_control.drain()
    assert [a["status"] for a in attempts] == [200]
    got = receiver.received[0]
    header = got.headers["Stripe-Signature"]
    assert header.startswith("t=") and ",v1=" in header
    event = stripe.Webhook.construct_event(got.body, header, endpoint.secret)
    assert event.type == "checkout.session.completed"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            got.body.replace(b"complete", b"COMPLETE"), header, endpoint.secret
        )
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(got.body, header, "whsec_not_the_secret")


def test_only_enabled_events_are_sent_and_star_gets_all(paychaos_stripe, paychaos_emulator_control):
    with WebhookReceiver() as only_completed, WebhookReceiver() as everything:
        webhook_endpoint(paychaos_stripe, only_completed.url, ["checkout.session.completed"])
        webhook_endpoint(paychaos_stripe, everything.url, ["*"])
        _pay(paychaos_stripe, paychaos_emulator_control)
        paychaos_emulator_control.drain()
        assert len(only_completed.received) == 1
        sent = [r.body.split(b'"type": "')[-1].split(b'"')[0].decode() for r in everything.received]
        assert sent[:3] == ["product.created", "price.created", "customer.created"]
        assert sent[-1] == "checkout.session.completed"
        assert len(sent) == 11


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(
    paychaos_stripe, paychaos_emulator_control
):
    with WebhookReceiver(statuses=[500, 503]) as rx:
        endpoint = webhook_endpoint(paychaos_stripe, rx.url, ["checkout.session.completed"])
        _pay(paychaos_stripe, paychaos_emulator_control)
        started = time.monotonic()
        clock_before = paychaos_emulator_control.now()
        attempts = paychaos_emulator_control.drain()
        assert time.monotonic() - started < 5  # no real sleeping through the schedule
        assert [(a["attempt"], a["status"], a["delivered"]) for a in attempts] == [
            (1, 500, False),
            (2, 503, False),
            (3, 200, True),
        ]
        assert paychaos_emulator_control.now() > clock_before  # the clock was advanced instead
        times = [a["emulator_time"] for a in attempts]
        assert times[0] < times[1] < times[2]
        # Each attempt is signed afresh with the emulator clock's time.
        stamps = [r.headers["Stripe-Signature"].split(",")[0] for r in rx.received]
        assert len(set(stamps)) == 3
        for r in rx.received:
            stripe.Webhook.construct_event(r.body, r.headers["Stripe-Signature"], endpoint.secret)
        event_id = attempts[0]["event_id"]
        assert paychaos_stripe.v1.events.retrieve(event_id).pending_webhooks == 0
        assert len(paychaos_emulator_control.deliveries(event_id=event_id)) == 3


def test_pending_webhooks_counts_endpoints_not_yet_reached(
    paychaos_stripe, paychaos_emulator_control
):
    with WebhookReceiver() as ok, WebhookReceiver(default_status=500) as broken:
        webhook_endpoint(paychaos_stripe, ok.url, ["checkout.session.completed"])
        webhook_endpoint(paychaos_stripe, broken.url, ["checkout.session.completed"])
        _pay(paychaos_stripe, paychaos_emulator_control)
        event = paychaos_emulator_control.events(type="checkout.session.completed")[0]
        assert event["pending_webhooks"] == 2
        paychaos_emulator_control.deliver_due()
        assert paychaos_stripe.v1.events.retrieve(event["id"]).pending_webhooks == 1


def test_delivery_gives_up_after_the_retry_schedule(paychaos_stripe, paychaos_emulator_control):
    with WebhookReceiver(default_status=500) as rx:
        webhook_endpoint(paychaos_stripe, rx.url, ["checkout.session.completed"])
        _pay(paychaos_stripe, paychaos_emulator_control)
        attempts = paychaos_emulator_control.drain()
        assert [a["attempt"] for a in attempts] == [1, 2, 3, 4]  # test mode: 3 retries
        assert paychaos_emulator_control.outbox()[0]["state"] == "gave_up"
        assert paychaos_emulator_control.drain() == []


def test_an_unreachable_endpoint_is_a_failed_attempt_with_an_error(
    paychaos_stripe, paychaos_emulator_control
):
    webhook_endpoint(
        paychaos_stripe, "http://127.0.0.1:9/nothing-listens", ["checkout.session.completed"]
    )
    _pay(paychaos_stripe, paychaos_emulator_control)
    first = paychaos_emulator_control.deliver_due()
    assert first[0]["status"] is None
    assert "refused" in first[0]["error"]
    assert paychaos_emulator_control.outbox()[0]["state"] == "pending"


def test_a_slow_endpoint_times_out_and_counts_as_a_failure():
    from paychaos.stripe_emulator import StripeEmulator

    with (
        StripeEmulator(delivery="manual", webhook_timeout=0.2) as emu,
        WebhookReceiver(delay=1.0) as rx,
    ):
        client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
        webhook_endpoint(client, rx.url, ["customer.created"])
        client.v1.customers.create({})
        attempt = emu.control.deliver_due()[0]
        assert attempt["delivered"] is False
        assert attempt["error"].startswith("timeout")


def test_manual_mode_sends_nothing_until_asked(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    webhook_endpoint(paychaos_stripe, receiver.url)
    _pay(paychaos_stripe, paychaos_emulator_control)
    time.sleep(0.1)
    assert receiver.received == []
    assert len(paychaos_emulator_control.deliver_due()) == 11


def test_auto_mode_delivers_without_being_asked(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    paychaos_emulator_control.set_delivery_mode("auto")
    webhook_endpoint(paychaos_stripe, receiver.url, ["checkout.session.completed"])
    _pay(paychaos_stripe, paychaos_emulator_control)
    deadline = time.monotonic() + 5
    while not paychaos_emulator_control.deliveries() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(receiver.received) == 1
    assert paychaos_emulator_control.drain() == []


def test_every_attempt_is_recorded_with_times_and_latency(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    endpoint = webhook_endpoint(paychaos_stripe, receiver.url, ["checkout.session.completed"])
    _pay(paychaos_stripe, paychaos_emulator_control)
    paychaos_emulator_control.drain()
    record = paychaos_emulator_control.deliveries()[0]
    assert record["endpoint_id"] == endpoint.id
    assert record["event_type"] == "checkout.session.completed"
    assert record["url"] == receiver.url
    assert record["latency_ms"] > 0
    assert record["emulator_time"] == paychaos_emulator_control.now()
    assert record["wall_time"] == pytest.approx(time.time(), abs=60)


def _wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_auto_mode_retries_when_the_clock_reaches_the_next_attempt(
    paychaos_stripe, paychaos_emulator_control
):
    paychaos_emulator_control.set_delivery_mode("auto")
    with WebhookReceiver(statuses=[500]) as rx:
        webhook_endpoint(paychaos_stripe, rx.url, ["checkout.session.completed"])
        _pay(paychaos_stripe, paychaos_emulator_control)
        # Wait for the emulator to have seen the failure (it schedules the retry then).
        assert _wait_for(lambda: len(paychaos_emulator_control.deliveries()) == 1)
        paychaos_emulator_control.advance_clock(599)
        time.sleep(0.1)
        assert len(rx.received) == 1  # the first retry is due 600 s after the failure
        paychaos_emulator_control.advance_clock(1)
        assert _wait_for(lambda: len(rx.received) == 2)
        assert _wait_for(lambda: paychaos_emulator_control.outbox()[0]["state"] == "delivered")


def test_deleting_an_endpoint_stops_its_deliveries(
    paychaos_stripe, paychaos_emulator_control, receiver
):
    endpoint = webhook_endpoint(paychaos_stripe, receiver.url, ["checkout.session.completed"])
    _pay(paychaos_stripe, paychaos_emulator_control)
    paychaos_stripe.v1.webhook_endpoints.delete(endpoint.id)
    assert paychaos_emulator_control.drain() == []
    assert receiver.received == []
