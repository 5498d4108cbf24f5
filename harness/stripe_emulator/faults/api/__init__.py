"""API faults, one module per action, registered by name below."""

from paychaos.stripe_emulator.faults.api.error import Error
from paychaos.stripe_emulator.faults.api.hang import Hang
from paychaos.stripe_emulator.faults.api.latency import Latency
from paychaos.stripe_emulator.faults.api.reset import Reset

API_ACTIONS = {cls.name: cls for cls in (Error, Latency, Hang, Reset)}
