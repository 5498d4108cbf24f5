"""API faults, one module per action; adding one is a new module plus its name below."""

from paychaos.plugins import plugins_in
from paychaos.stripe_emulator.faults.rules import Action

MODULES = ("error", "latency", "hang", "reset")

API_ACTIONS = {cls.name: cls for cls in plugins_in(__name__, MODULES, Action)}
