"""``POST /api/payments/validate/{session_id}/``, called by the success page after the redirect.

Reply: ``{"status": "success" | "pending" | "failed", "session_id", ...}`` (extra
keys: ``subscription_id``, ``subscription_status`` on success; ``reason``).
"""

from __future__ import annotations

from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.registry import active_variant


class ValidateSession(APIView):
    """Ask the active variant whether the session is paid and fulfilled.

    The browser may also send who is signed in (``X-Company-Id``) and a ``plan_id`` (body
    or query, as a success URL may carry it): claims the variant must not trust.
    """

    def post(self, request: Request, session_id: str) -> Response:
        claims = client_claims(request)
        reply = active_variant().validate_session(session_id, claims)
        return Response(reply.body, status=reply.status)


def client_claims(request: Request) -> ClientClaims:
    """The client's claims of one request; a value that is not a whole number is not sent."""
    try:
        data = request.data if isinstance(request.data, dict) else {}
    except APIException:  # a body the parsers refuse (or none) carries no claims
        data = {}
    return ClientClaims(
        signed_in_company=_whole(request.headers.get("X-Company-Id")),
        plan_id=_whole(data.get("plan_id", request.query_params.get("plan_id"))),
        amount=_whole(data.get("amount")),
    )


def _whole(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None and str(value).strip() else None
    except ValueError:
        return None
