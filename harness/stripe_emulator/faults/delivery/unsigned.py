"""``unsigned``: the delivery arrives without a ``Stripe-Signature`` header at all."""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Unsigned(Action):
    name = "unsigned"
    tampering = "unsigned"
    must_be_refused = True

    def shape(self, plan: AttemptPlan) -> None:
        plan.signature_override = ""
