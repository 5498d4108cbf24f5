"""``error``: answer with Stripe's error envelope instead of (``when: before``) or after
(``when: after``: the change is made, the client sees an error, and that error is what
the idempotency key replays) running the endpoint.

``{"action": "error", "method": "POST", "path": "/v1/checkout/sessions", "status": 500, "first": 1}``
``{"action": "error", "status": 429}`` is Stripe's rate limit (``RateLimitError``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from paychaos.stripe_emulator.errors import StripeApiError, invalid
from paychaos.stripe_emulator.faults.api.context import ApiCallContext
from paychaos.stripe_emulator.faults.rules import Action
from paychaos.stripe_emulator.http_server import HttpResponse

_TYPES = {429: "rate_limit_error", 409: "idempotency_error", 402: "card_error"}


class Error(Action):
    name = "error"
    defaults: ClassVar[dict[str, Any]] = {
        "status": 500,
        "type": None,
        "code": None,
        "message": None,
        "when": "before",
        "should_retry": None,
    }

    def validate(self) -> None:
        status = self.params["status"]
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise invalid("error: status must be an HTTP error status (400-599)", param="status")
        if self.params["when"] not in ("before", "after"):
            raise invalid("error: when must be 'before' or 'after'", param="when")

    @property
    def phase(self) -> str:
        return str(self.params["when"])

    def error(self) -> StripeApiError:
        status = self.params["status"]
        kind = (
            self.params["type"]
            or _TYPES.get(status)
            or ("api_error" if status >= 500 else "invalid_request_error")
        )
        message = self.params["message"] or (
            "Too many requests hit the API too quickly."
            if status == 429
            else "An error occurred with our connection to Stripe. (injected by paychaos)"
        )
        headers: tuple[tuple[str, str], ...] = ()
        if self.params["should_retry"] is not None:
            headers = (("Stripe-Should-Retry", "true" if self.params["should_retry"] else "false"),)
        code = self.params["code"] or ("rate_limit" if status == 429 else None)
        return StripeApiError(status, message, type=kind, code=code, headers=headers)

    def run(self, ctx: ApiCallContext) -> HttpResponse:
        from paychaos.stripe_emulator.api import error_response

        response = error_response(self.error(), ctx.request_id)
        if self.phase == "after":
            ctx.execute(False)
            ctx.store(response)
        else:
            ctx.release()
        return response
