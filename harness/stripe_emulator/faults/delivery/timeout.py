"""``timeout``: the emulator gives up on the endpoint and counts a failure.

Without ``seconds`` the request is sent and answered (the app may have committed), and
the attempt still counts as a timeout, so Stripe retries. With ``seconds`` the attempt
really times out after that many wall seconds.
"""

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.faults.rules import Action


class Timeout(Action):
    name = "timeout"
    defaults = {"seconds": None}

    def validate(self) -> None:
        if self.params["seconds"] is not None:
            self.number("seconds", 0.001)

    def shape(self, plan: AttemptPlan) -> None:
        if self.params["seconds"] is None:
            plan.force_failure = "timeout (the emulator stopped waiting; forced by delivery policy)"
        else:
            plan.timeout = float(self.params["seconds"])
