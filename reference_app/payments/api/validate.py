"""``POST /api/payments/validate/{session_id}/``, called by the success page after the redirect.

Reply: ``{"status": "success" | "pending" | "failed", "session_id", ...}`` (extra
keys: ``subscription_id``, ``subscription_status`` on success; ``reason``).
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.reference_app.payments.variants.registry import active_variant


class ValidateSession(APIView):
    """Ask the active variant whether the session is paid and fulfilled."""

    def post(self, request: Request, session_id: str) -> Response:
        reply = active_variant().validate_session(session_id)
        return Response(reply.body, status=reply.status)
