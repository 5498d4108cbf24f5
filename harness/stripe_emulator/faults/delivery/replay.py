"""``replay``: deliver normally, then send the very same bytes (body and signature header)
again ``after`` emulator seconds later, as an attacker who captured it would.

``{"action": "replay", "event_type": "checkout.session.completed", "after": 3600}``
"""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Replay(Action):
    name = "replay"
    tampering = "replay"
    defaults = {"after": 0}

    def validate(self) -> None:
        self.number("after", 0)

    def shape(self, plan: AttemptPlan) -> None:
        plan.replay_after = int(self.params["after"])
