"""``bad_signature``: a well-formed header whose ``v1`` matches no secret (a forgery)."""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class BadSignature(Action):
    name = "bad_signature"
    tampering = "bad_signature"
    must_be_refused = True

    def shape(self, plan: AttemptPlan) -> None:
        plan.signature_override = f"t={plan.timestamp},v1={'0' * 64}"
