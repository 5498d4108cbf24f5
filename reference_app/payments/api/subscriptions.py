"""``GET /api/companies/{id}/subscription/``: what a company has, as the app believes.

Reply: ``{"company_id", "status": "active" | "canceled" | "none" | ..., "active": bool,
"subscription_id", "checkout_session_id" (of the active one, else the newest, else null),
"subscriptions": [{"id", "status", "plan_id", "stripe_subscription_id",
"checkout_session_id"}]}``; 404 for an unknown company, and for another company than the
signed-in one (``X-Company-Id``), as the variant decides.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.reference_app.payments.api.validate import client_claims
from paychaos.reference_app.payments.models import Company, Subscription
from paychaos.reference_app.payments.variants.registry import active_variant


def subscription_json(sub: Subscription) -> dict:
    return {
        "id": sub.id,
        "status": sub.status,
        "plan_id": sub.plan_id,
        "stripe_subscription_id": sub.stripe_subscription_id,
        "checkout_session_id": sub.checkout_session_id,
    }


class CompanySubscription(APIView):
    """The company's subscriptions, newest first, and a one-word summary."""

    def get(self, request: Request, company_id: int) -> Response:
        allowed = active_variant().may_read_company(company_id, client_claims(request))
        if not allowed or not Company.objects.filter(pk=company_id).exists():
            return Response({"error": "unknown company"}, status=404)
        subs = list(Subscription.objects.filter(company_id=company_id).order_by("-id"))
        active = [s for s in subs if s.status == Subscription.Status.ACTIVE]
        shown = active[0] if active else (subs[0] if subs else None)
        summary = shown.status if shown else "none"
        return Response(
            {
                "company_id": company_id,
                "status": summary,
                "active": bool(active),
                "subscription_id": shown.id if shown else None,
                "checkout_session_id": shown.checkout_session_id if shown else None,
                "subscriptions": [subscription_json(s) for s in subs],
            }
        )
