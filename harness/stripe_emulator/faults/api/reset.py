"""``reset``: drop the TCP connection without an answer, before the endpoint runs or
after it ran (``when: after``: the change is made, the client cannot know).

``{"action": "reset", "method": "POST", "path": "/v1/checkout/sessions", "when": "after"}``
"""

from __future__ import annotations

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.faults.api.context import ApiCallContext
from paychaos.stripe_emulator.faults.rules import Action
from paychaos.stripe_emulator.http_server import HttpResponse


class Reset(Action):
    name = "reset"
    defaults = {"when": "before"}

    def validate(self) -> None:
        if self.params["when"] not in ("before", "after"):
            raise invalid("reset: when must be 'before' or 'after'", param="when")

    @property
    def phase(self) -> str:
        return str(self.params["when"])

    def run(self, ctx: ApiCallContext) -> HttpResponse:
        if self.phase == "after":
            ctx.execute(True)
        else:
            ctx.release()
        return HttpResponse(0, abort=True)
