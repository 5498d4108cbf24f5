"""Webhook delivery policies, one module per action, registered by name below."""

from paychaos.stripe_emulator.faults.delivery.bad_signature import BadSignature
from paychaos.stripe_emulator.faults.delivery.delay import Delay
from paychaos.stripe_emulator.faults.delivery.deliver import Deliver
from paychaos.stripe_emulator.faults.delivery.drop import Drop
from paychaos.stripe_emulator.faults.delivery.duplicate import Duplicate
from paychaos.stripe_emulator.faults.delivery.hold import Hold
from paychaos.stripe_emulator.faults.delivery.replay import Replay
from paychaos.stripe_emulator.faults.delivery.stale_timestamp import StaleTimestamp
from paychaos.stripe_emulator.faults.delivery.timeout import Timeout
from paychaos.stripe_emulator.faults.delivery.twin import Twin
from paychaos.stripe_emulator.faults.delivery.unsigned import Unsigned
from paychaos.stripe_emulator.faults.delivery.wrong_secret import WrongSecret

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
