"""A stateful Stripe v1 emulator with signed webhooks, retries and a control API.

>>> from paychaos.stripe_emulator import StripeEmulator, EmulatorControl
>>> emu = StripeEmulator(seed=0, delivery="manual").start()  # doctest: +SKIP
"""

from paychaos.stripe_emulator.control_client import EmulatorControl, EmulatorControlError
from paychaos.stripe_emulator.emulator import StripeEmulator

__all__ = ["EmulatorControl", "EmulatorControlError", "StripeEmulator"]
