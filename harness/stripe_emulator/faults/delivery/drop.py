"""``drop``: the attempt never reaches the endpoint; Stripe sees a failure and retries.

``{"action": "drop", "event_type": "checkout.session.completed", "times": 1}`` drops once;
without ``times`` every matching attempt is dropped until the event gives up.
"""

from harness.stripe_emulator.faults.delivery.plan import AttemptPlan
from harness.stripe_emulator.faults.rules import Action


class Drop(Action):
    name = "drop"

    def shape(self, plan: AttemptPlan) -> None:
        plan.send = False
        plan.not_sent_reason = "dropped by delivery policy"
