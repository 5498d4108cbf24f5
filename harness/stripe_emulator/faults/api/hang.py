"""``hang``: never answer; the client times out (or, with ``seconds``, the connection is
reset after that long). The endpoint does not run.

``{"action": "hang", "method": "POST", "path": "/v1/checkout/sessions", "first": 1}``
"""

from __future__ import annotations

import asyncio

from paychaos.stripe_emulator.faults.api.context import ApiCallContext
from paychaos.stripe_emulator.faults.rules import Action
from paychaos.stripe_emulator.http_server import HttpResponse

FOREVER = 24 * 3600.0


class Hang(Action):
    name = "hang"
    defaults = {"seconds": None}
    phase = "during"

    def validate(self) -> None:
        if self.params["seconds"] is not None:
            self.number("seconds", 0)

    async def run(self, ctx: ApiCallContext) -> HttpResponse:
        seconds = self.params["seconds"]
        try:
            await asyncio.sleep(FOREVER if seconds is None else float(seconds))
        finally:
            ctx.release()
        return HttpResponse(0, abort=True)
