"""``delay``: hold the attempt for ``seconds`` of emulator time (sent when the clock gets there).

``{"action": "delay", "event_type": "invoice.paid", "seconds": 3600}``
"""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Delay(Action):
    name = "delay"
    defaults = {"seconds": 60}

    def validate(self) -> None:
        self.number("seconds", 1)

    def shape(self, plan: AttemptPlan) -> None:
        plan.postpone_until = plan.now + int(self.params["seconds"])
