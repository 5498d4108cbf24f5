"""``latency``: wait ``seconds`` (real time) before running the endpoint.

``{"action": "latency", "method": "GET", "path": "/v1/checkout/sessions/*", "seconds": 2}``
"""

from __future__ import annotations

import asyncio

from paychaos.stripe_emulator.faults.api.context import ApiCallContext
from paychaos.stripe_emulator.faults.rules import Action
from paychaos.stripe_emulator.http_server import HttpResponse


class Latency(Action):
    name = "latency"
    defaults = {"seconds": 1.0}
    phase = "during"

    def validate(self) -> None:
        self.number("seconds", 0)

    async def run(self, ctx: ApiCallContext) -> HttpResponse:
        try:
            await asyncio.sleep(float(self.params["seconds"]))
        except asyncio.CancelledError:  # the client gave up: the endpoint never ran
            ctx.release()
            raise
        return ctx.execute(True)
