"""``hold``: reorder; keep the delivery back until ``after`` later deliveries to the same
endpoint went out (or until a drain has nothing else left to send).

``{"action": "hold", "event_type": "checkout.session.completed", "after": 1}`` makes the
event arrive after the next one.
"""

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Hold(Action):
    name = "hold"
    defaults = {"after": 1}

    def validate(self) -> None:
        after = self.params["after"]
        if isinstance(after, bool) or not isinstance(after, int) or after < 1:
            raise invalid("hold: after must be an integer >= 1", param="after")

    def shape(self, plan: AttemptPlan) -> None:
        plan.hold_for = self.params["after"]
