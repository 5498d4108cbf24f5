"""``drop``: the attempt never reaches the endpoint; Stripe sees a failure and retries.

``{"action": "drop", "event_type": "checkout.session.completed", "times": 1}`` drops one
attempt; ``"attempts": 2`` drops the first two attempts of each matching delivery;
``"attempts": "all"`` (the default) drops every matching attempt until the event gives up.
"""

from typing import Any, ClassVar

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Drop(Action):
    name = "drop"
    defaults: ClassVar[dict[str, Any]] = {"attempts": "all"}

    def validate(self) -> None:
        attempts = self.params["attempts"]
        if attempts != "all" and (
            isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1
        ):
            raise invalid("drop: attempts must be 'all' or an integer >= 1", param="attempts")

    def shape(self, plan: AttemptPlan) -> None:
        attempts = self.params["attempts"]
        if attempts != "all" and plan.attempt > attempts:
            return
        plan.send = False
        plan.not_sent_reason = "dropped by delivery policy"
