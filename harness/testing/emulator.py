"""pytest fixtures for the emulator part of the environment.

``paychaos_emulator`` is one emulator for the whole test session (webhooks in
``manual`` delivery, so a test decides when they go out); ``paychaos_stripe`` is a
``stripe.StripeClient`` pointed at it, with the emulator reset before each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

__all__ = ["paychaos_emulator", "paychaos_emulator_control", "paychaos_stripe"]


@pytest.fixture(scope="session")
def paychaos_emulator() -> Iterator[object]:
    """A running :class:`paychaos.stripe_emulator.StripeEmulator` (seed 0, manual delivery)."""
    from paychaos.stripe_emulator import StripeEmulator

    emu = StripeEmulator(seed=0, delivery="manual")
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def paychaos_emulator_control(paychaos_emulator):  # type: ignore[no-untyped-def]
    """The emulator's control client, after a reset to seed 0 and manual delivery."""
    ctl = paychaos_emulator.control
    ctl.reset(seed=0)
    ctl.set_delivery_mode("manual")
    return ctl


@pytest.fixture
def paychaos_stripe(paychaos_emulator, paychaos_emulator_control):  # type: ignore[no-untyped-def]
    """A ``stripe.StripeClient`` talking to the (freshly reset) emulator."""
    import stripe

    return stripe.StripeClient(
        paychaos_emulator.api_key, base_addresses={"api": paychaos_emulator.url}
    )
