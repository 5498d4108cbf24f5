"""Webhook delivery policies, one module per action; adding one is a new module plus its name
below. Each action declares what it does on purpose (``tampering``, ``must_be_refused``)."""

from paychaos.plugins import plugins_in
from paychaos.stripe_emulator.faults.rules import Action

MODULES = (
    "deliver",
    "drop",
    "duplicate",
    "delay",
    "hold",
    "bad_signature",
    "wrong_secret",
    "stale_timestamp",
    "unsigned",
    "replay",
    "timeout",
    "twin",
)

DELIVERY_ACTIONS = {cls.name: cls for cls in plugins_in(__name__, MODULES, Action)}
