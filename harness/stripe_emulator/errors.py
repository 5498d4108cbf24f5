"""Stripe's error envelope, raised by handlers and turned into an HTTP response."""

from __future__ import annotations

from typing import Any


class StripeApiError(Exception):
    """An error the emulator answers with Stripe's envelope ``{"error": {...}}``.

    >>> raise StripeApiError(404, "No such customer: 'cus_x'", code="resource_missing", param="id")
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers

    def envelope(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def missing(kind: str, object_id: str, param: str = "id") -> StripeApiError:
    """The 404 Stripe answers for an id it does not know."""
    return StripeApiError(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeApiError:
    """A 400 ``invalid_request_error``."""
    return StripeApiError(400, message, code=code, param=param)
