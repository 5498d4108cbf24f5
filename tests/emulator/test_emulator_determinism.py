"""Same seed, same calls, same ids; reset forgets everything."""

from __future__ import annotations

import stripe
from emulator_helpers import subscription_session, webhook_endpoint

from paychaos.stripe_emulator import StripeEmulator


def _run(emu: StripeEmulator) -> list[str]:
    client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
    webhook_endpoint(client, "http://127.0.0.1:9/x")
    session = subscription_session(client)
    emu.control.complete_session(session.id)
    done = client.v1.checkout.sessions.retrieve(session.id)
    return [session.id, done.subscription, done.customer, done.invoice] + [
        e["id"] for e in emu.control.events()
    ]


def test_same_seed_and_same_calls_give_the_same_ids():
    with (
        StripeEmulator(seed=42, delivery="manual") as a,
        StripeEmulator(seed=42, delivery="manual") as b,
    ):
        assert _run(a) == _run(b)


def test_another_seed_gives_other_ids():
    with (
        StripeEmulator(seed=1, delivery="manual") as a,
        StripeEmulator(seed=2, delivery="manual") as b,
    ):
        assert set(_run(a)).isdisjoint(_run(b))


def test_reset_forgets_objects_and_replays_the_same_ids(
    paychaos_emulator, paychaos_emulator_control
):
    first = _run(paychaos_emulator)
    paychaos_emulator_control.reset(seed=0)
    assert paychaos_emulator_control.events() == []
    client = stripe.StripeClient(
        paychaos_emulator.api_key, base_addresses={"api": paychaos_emulator.url}
    )
    assert client.v1.checkout.sessions.list().data == []
    assert _run(paychaos_emulator) == first


def test_a_fixed_epoch_makes_timestamps_repeatable():
    with StripeEmulator(epoch=1_900_000_000, delivery="manual") as emu:
        client = stripe.StripeClient(emu.api_key, base_addresses={"api": emu.url})
        assert client.v1.customers.create({}).created == 1_900_000_000
        emu.control.advance_clock(3600)
        emu.control.reset()
        assert emu.control.now() == 1_900_000_000
