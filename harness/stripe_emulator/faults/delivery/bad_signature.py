"""``bad_signature``: a well-formed header whose ``v1`` matches no secret (a forgery)."""

from harness.stripe_emulator.faults.delivery.plan import AttemptPlan
from harness.stripe_emulator.faults.rules import Action


class BadSignature(Action):
    name = "bad_signature"

    def shape(self, plan: AttemptPlan) -> None:
        plan.signature_override = f"t={plan.timestamp},v1={'0' * 64}"
