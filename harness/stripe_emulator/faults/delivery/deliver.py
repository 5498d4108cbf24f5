"""``deliver``: send normally (a rule that shields matching attempts from later rules)."""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Deliver(Action):
    name = "deliver"

    def shape(self, plan: AttemptPlan) -> None:
        pass
