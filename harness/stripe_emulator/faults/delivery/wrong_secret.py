"""``wrong_secret``: signed correctly, but with a secret the endpoint does not have."""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class WrongSecret(Action):
    name = "wrong_secret"
    tampering = "wrong_secret"
    must_be_refused = True
    defaults = {"secret": "whsec_paychaos_wrong_secret"}

    def shape(self, plan: AttemptPlan) -> None:
        plan.secrets = [str(self.params["secret"])]
