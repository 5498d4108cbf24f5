"""``twin``: Stripe emits two distinct events (two ids) for the same change.

Applied when a matching event is created, not per attempt:
``{"action": "twin", "event_type": "checkout.session.completed"}``.
"""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Twin(Action):
    name = "twin"
    at_emit = True

    def shape(self, plan: AttemptPlan) -> None:
        pass
