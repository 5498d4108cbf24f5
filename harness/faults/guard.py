"""Who may use the fault-proxy API: the harness (with its token), never a web page.

With a token (what the harness's embedded server always has), every request carries
``Authorization: Bearer <token>``. Without one (``paychaos proxy`` for Toxiproxy clients,
which send no credentials), the API still refuses what a browser could send on a page's
behalf: a ``Host`` that is not a loopback name (DNS rebinding), an ``Origin`` header
(every cross-site ``fetch`` or form carries one), and a body that is not JSON (a
``text/plain`` or form POST needs no CORS preflight). Either way, a refusal is a JSON error
in Toxiproxy's shape, before the request reaches any proxy.
"""

from __future__ import annotations

from collections.abc import Mapping

from paychaos.net import bearer_token_matches, loopback_host_header

_BODY_METHODS = ("POST", "PUT", "PATCH")


class ApiGuard:
    """Checks one request's headers; ``refusal`` is None when it may go on."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or None

    def refusal(
        self, method: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, str] | None:
        """``(status, message)`` for a request to refuse, None for one to serve.

        ``headers`` has lower-case names.
        """
        if not loopback_host_header(headers.get("host")):
            return 403, "Host must name this machine (localhost or a loopback address)"
        if self.token is not None:
            if not bearer_token_matches(headers.get("authorization"), self.token):
                return 401, "missing or wrong token (send Authorization: Bearer <token>)"
            return None
        if "origin" in headers:
            return 403, "requests from web pages (with an Origin header) are refused"
        if method in _BODY_METHODS:
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if (body or kind) and kind != "application/json":
                return 415, "request bodies must be JSON (Content-Type: application/json)"
        return None
