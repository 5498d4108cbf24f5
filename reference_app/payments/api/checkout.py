"""``POST /api/checkout/`` ``{"company_id", "plan_id"}`` -> 201 ``{"session_id", "url"}``.

The same in every variant but for what the variant decides from the client's claims (which
company a signed-in user may buy for, what the session charges). Unknown company or plan:
404; another company's user signed in: 403; Stripe failing: 502 ``{"error", "detail"}``.
"""

from __future__ import annotations

import stripe
from django.conf import settings
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.reference_app.payments import stripe_api
from paychaos.reference_app.payments.api.validate import client_claims
from paychaos.reference_app.payments.models import Company, SubscriptionPlan
from paychaos.reference_app.payments.variants.registry import active_variant


class CheckoutRequest(serializers.Serializer):
    company_id = serializers.IntegerField()
    plan_id = serializers.IntegerField()


class CreateCheckout(APIView):
    """Create a subscription-mode Checkout Session for a company and a plan."""

    def post(self, request: Request) -> Response:
        body = CheckoutRequest(data=request.data)
        body.is_valid(raise_exception=True)
        claims = client_claims(request)
        variant = active_variant()
        company_id = variant.checkout_company(body.validated_data["company_id"], claims)
        if company_id is None:
            return Response({"error": "signed in as another company"}, status=403)
        company = Company.objects.filter(pk=company_id).first()
        plan = SubscriptionPlan.objects.filter(pk=body.validated_data["plan_id"]).first()
        if company is None or plan is None:
            return Response({"error": "unknown company or plan"}, status=404)
        base_url = settings.PAYMENTS.public_url or request.build_absolute_uri("/").rstrip("/")
        try:
            session = stripe_api.create_checkout_session(
                company_id=company.id,
                plan_id=plan.id,
                line_item=variant.checkout_line_item(plan.stripe_price_id, claims),
                customer_id=company.stripe_customer_id,
                base_url=base_url,
            )
        except stripe.StripeError as exc:
            return Response({"error": "stripe error", "detail": str(exc)}, status=502)
        return Response({"session_id": session["id"], "url": session.get("url")}, status=201)
