"""Webhook delivery policies, one module per action, registered by name below."""

from harness.stripe_emulator.faults.delivery.bad_signature import BadSignature
from harness.stripe_emulator.faults.delivery.delay import Delay
from harness.stripe_emulator.faults.delivery.deliver import Deliver
from harness.stripe_emulator.faults.delivery.drop import Drop
from harness.stripe_emulator.faults.delivery.duplicate import Duplicate
from harness.stripe_emulator.faults.delivery.hold import Hold
from harness.stripe_emulator.faults.delivery.replay import Replay
from harness.stripe_emulator.faults.delivery.stale_timestamp import StaleTimestamp
from harness.stripe_emulator.faults.delivery.timeout import Timeout
from harness.stripe_emulator.faults.delivery.twin import Twin
from harness.stripe_emulator.faults.delivery.unsigned import Unsigned
from harness.stripe_emulator.faults.delivery.wrong_secret import WrongSecret

DELIVERY_ACTIONS = {
    cls.name: cls
    for cls in (
        Deliver,
        Drop,
        Duplicate,
        Delay,
        Hold,
        BadSignature,
        WrongSecret,
        StaleTimestamp,
        Unsigned,
        Replay,
        Timeout,
        Twin,
    )
}
