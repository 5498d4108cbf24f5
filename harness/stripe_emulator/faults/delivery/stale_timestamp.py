"""``stale_timestamp``: a valid signature over a ``t`` older than the receiver's tolerance.

The age counts from the wall clock, because that is what ``construct_event`` compares with.
``{"action": "stale_timestamp", "age": 600}``
"""

import time

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class StaleTimestamp(Action):
    name = "stale_timestamp"
    tampering = "stale"
    must_be_refused = True
    defaults = {"age": 600}

    def validate(self) -> None:
        self.number("age", 1)

    def shape(self, plan: AttemptPlan) -> None:
        plan.timestamp = min(plan.now, int(time.time())) - int(self.params["age"])
