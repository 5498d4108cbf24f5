"""Companies and plans, so a harness (or a person) can set up what is sold and to whom.

``POST /api/companies/`` ``{"name"}`` -> 201 ``{"id", "name"}``
``POST /api/plans/`` ``{"name", "amount", "currency"?, "interval"?, "stripe_price_id"?}``
-> 201 ``{"id", "name", "amount", "currency", "interval", "stripe_price_id"}``; without a
price id the app creates the product and price in Stripe.
"""

from __future__ import annotations

import stripe
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.reference_app.payments import stripe_api
from paychaos.reference_app.payments.models import Company, SubscriptionPlan


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name"]


class PlanSerializer(serializers.ModelSerializer):
    stripe_price_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    currency = serializers.CharField(required=False, default="usd", max_length=3)
    interval = serializers.ChoiceField(
        choices=["day", "week", "month", "year"], required=False, default="month"
    )
    amount = serializers.IntegerField(min_value=0)

    class Meta:
        model = SubscriptionPlan
        fields = ["id", "name", "amount", "currency", "interval", "stripe_price_id"]
        extra_kwargs: dict[str, dict[str, list]] = {"stripe_price_id": {"validators": []}}


class CompanyList(APIView):
    """Create a company, or list them."""

    def get(self, request: Request) -> Response:
        return Response(CompanySerializer(Company.objects.order_by("id"), many=True).data)

    def post(self, request: Request) -> Response:
        serializer = CompanySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = serializer.save()
        return Response(CompanySerializer(company).data, status=201)


class PlanList(APIView):
    """Create a plan (and its Stripe price unless one is given), or list them."""

    def get(self, request: Request) -> Response:
        return Response(PlanSerializer(SubscriptionPlan.objects.order_by("id"), many=True).data)

    def post(self, request: Request) -> Response:
        serializer = PlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not data.get("stripe_price_id"):
            try:
                data["stripe_price_id"] = stripe_api.create_price(
                    data["name"], data["amount"], data["currency"], data["interval"]
                )
            except stripe.StripeError as exc:
                return Response({"error": "stripe error", "detail": str(exc)}, status=502)
        plan, _ = SubscriptionPlan.objects.get_or_create(
            stripe_price_id=data["stripe_price_id"], defaults=data
        )
        return Response(PlanSerializer(plan).data, status=201)
