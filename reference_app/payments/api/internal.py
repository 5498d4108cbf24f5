"""Endpoints for the harness, under ``/api/_internal/``.

``POST /api/_internal/notifications/drain/`` -> ``{"sent", "pending", "error"}``:
send what the outbox owes (a no-op for variants without one).
``GET /api/_internal/state/`` -> every subscription, payment, processed event and
outbox row, so the harness reads the final state without touching the database.

Both demand the harness's token, ``Authorization: Bearer $PAYCHAOS_FAILPOINTS_TOKEN`` (the
one the failpoint endpoint takes); without that setting they answer nobody.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.net import bearer_token_matches
from paychaos.reference_app.payments.models import (
    NotificationOutbox,
    Payment,
    ProcessedWebhookEvent,
    Subscription,
)
from paychaos.reference_app.payments.variants.registry import active_variant


class HarnessToken(BasePermission):
    """Only a request with the harness's token gets through (compared in constant time)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if bearer_token_matches(
            request.headers.get("Authorization"), settings.PAYMENTS.control_token
        ):
            return True
        raise NotAuthenticated("missing or wrong harness token (Authorization: Bearer)")


class DrainNotifications(APIView):
    """Drain the notification outbox now."""

    permission_classes = [HarnessToken]

    def post(self, request: Request) -> Response:
        result = active_variant().drain_notifications()
        return Response({"sent": result.sent, "pending": result.pending, "error": result.error})


class DrainTasks(APIView):
    """Publish what the task outbox owes now (a no-op for variants without one)."""

    permission_classes = [HarnessToken]

    def post(self, request: Request) -> Response:
        stale_after = request.data.get("stale_after") if isinstance(request.data, dict) else None
        result = active_variant().drain_tasks(
            stale_after=float(stale_after) if isinstance(stale_after, (int, float)) else None
        )
        return Response({"sent": result.sent, "pending": result.pending, "error": result.error})


class AppState(APIView):
    """The app's whole payments state as JSON."""

    permission_classes = [HarnessToken]

    def get(self, request: Request) -> Response:
        return Response(
            {
                "variant": active_variant().name,
                "subscriptions": [
                    {
                        "id": s.id,
                        "company_id": s.company_id,
                        "plan_id": s.plan_id,
                        "status": s.status,
                        "stripe_subscription_id": s.stripe_subscription_id,
                        "checkout_session_id": s.checkout_session_id,
                    }
                    for s in Subscription.objects.order_by("id")
                ],
                "payments": [
                    {
                        "id": p.id,
                        "company_id": p.company_id,
                        "subscription_id": p.subscription_id,
                        "checkout_session_id": p.checkout_session_id,
                        "amount": p.amount,
                        "currency": p.currency,
                    }
                    for p in Payment.objects.order_by("id")
                ],
                "processed_events": list(
                    ProcessedWebhookEvent.objects.order_by("id").values_list("event_id", flat=True)
                ),
                "outbox": [
                    {
                        "id": n.id,
                        "company_id": n.company_id,
                        "kind": n.kind,
                        "sent": n.sent_at is not None,
                        "attempts": n.attempts,
                    }
                    for n in NotificationOutbox.objects.order_by("id")
                ],
            }
        )
