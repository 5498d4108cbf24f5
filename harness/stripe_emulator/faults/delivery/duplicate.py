"""``duplicate``: the same signed delivery arrives ``copies`` times, one after another or at once.

``{"action": "duplicate", "copies": 3, "concurrent": true}``
"""

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Duplicate(Action):
    name = "duplicate"
    defaults = {"copies": 2, "concurrent": False}

    def validate(self) -> None:
        copies = self.params["copies"]
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 50:
            raise invalid("duplicate: copies must be an integer from 1 to 50", param="copies")
        if not isinstance(self.params["concurrent"], bool):
            raise invalid("duplicate: concurrent must be true or false", param="concurrent")

    def shape(self, plan: AttemptPlan) -> None:
        plan.copies = self.params["copies"]
        plan.concurrent = self.params["concurrent"]
