"""Setting up companies and plans, and creating a Checkout Session through the stripe library."""

from __future__ import annotations

import pytest
from django.test import Client

from paychaos.reference_app.payments.models import Company, Subscription, SubscriptionPlan

pytestmark = pytest.mark.django_db(transaction=True)


def post(path: str, body: dict):
    return Client().post(path, data=body, content_type="application/json")


def test_company_and_plan_with_a_known_price_are_created():
    company = post("/api/companies/", {"name": "Acme"})
    plan = post("/api/plans/", {"name": "Pro", "amount": 14900, "stripe_price_id": "price_pro"})
    assert company.status_code == 201 and company.json()["name"] == "Acme"
    assert plan.status_code == 201 and plan.json()["stripe_price_id"] == "price_pro"
    assert Company.objects.count() == 1 and SubscriptionPlan.objects.get().amount == 14900


def test_plan_without_a_price_creates_product_and_price_in_stripe(stripe_stub):
    plan = post("/api/plans/", {"name": "Pro", "amount": 14900})
    assert plan.status_code == 201
    assert [path for path, _ in stripe_stub.posts] == ["/v1/products", "/v1/prices"]
    price_form = stripe_stub.posts[1][1]
    assert price_form["unit_amount"] == ["14900"] and price_form["recurring[interval]"] == ["month"]
    assert plan.json()["stripe_price_id"].startswith("price_stub")


def test_bad_plan_is_a_400_naming_the_field():
    response = post("/api/plans/", {"name": "Pro", "amount": -1, "stripe_price_id": "p"})
    assert response.status_code == 400 and "amount" in response.json()


def test_checkout_creates_a_subscription_session_for_the_plan(catalog, stripe_stub):
    company, plan = catalog
    response = post("/api/checkout/", {"company_id": company.id, "plan_id": plan.id})
    assert response.status_code == 201
    body = response.json()
    assert body["session_id"] in stripe_stub.sessions and body["url"]
    path, form = stripe_stub.posts[-1]
    assert path == "/v1/checkout/sessions"
    assert form["mode"] == ["subscription"]
    assert form["line_items[0][price]"] == [plan.stripe_price_id]
    assert form["metadata[company_id]"] == [str(company.id)]
    assert form["metadata[plan_id]"] == [str(plan.id)]
    assert form["client_reference_id"] == [f"company-{company.id}"]
    assert form["success_url"][0].endswith("/payments/success/?session_id={CHECKOUT_SESSION_ID}")
    assert not Subscription.objects.exists()  # nothing is granted before payment


def test_checkout_for_an_unknown_plan_is_404(catalog):
    company, _ = catalog
    assert post("/api/checkout/", {"company_id": company.id, "plan_id": 999999}).status_code == 404


def test_checkout_when_stripe_fails_is_502(catalog, stripe_stub):
    company, plan = catalog
    stripe_stub.fail = True
    response = post("/api/checkout/", {"company_id": company.id, "plan_id": plan.id})
    assert response.status_code == 502 and response.json()["error"] == "stripe error"


def test_subscription_status_reports_the_active_subscription(catalog):
    from paychaos.reference_app.payments.variants.registry import get_variant
    from tests.reference_app.stripe_events import checkout_session

    company, plan = catalog
    own = Client(headers={"X-Company-Id": str(company.id)})  # the company's user, signed in
    assert own.get(f"/api/companies/{company.id}/subscription/").json()["status"] == "none"
    get_variant("correct").fulfil(checkout_session(company.id, plan.id), source="webhook")
    body = own.get(f"/api/companies/{company.id}/subscription/").json()
    assert body["status"] == "active" and body["active"] is True and len(body["subscriptions"]) == 1
    # A browser where no one is signed in, or another company's, sees no one's page.
    assert Client().get(f"/api/companies/{company.id}/subscription/").status_code == 404
    other = Client(headers={"X-Company-Id": str(company.id + 1)})
    assert other.get(f"/api/companies/{company.id}/subscription/").status_code == 404


def test_success_page_calls_validate_and_names_both_outcomes():
    html = Client().get("/payments/success/?session_id=cs_test_1").content.decode()
    assert "/api/payments/validate/" in html
    assert "Payment successful" in html and "Payment failed" in html
    assert '"cs_test_1"' in html


def test_the_database_refuses_two_plans_for_one_stripe_price():
    from django.db import IntegrityError

    from paychaos.fixtures.models import PlanFactory

    PlanFactory(stripe_price_id="price_same")
    with pytest.raises(IntegrityError):
        PlanFactory(stripe_price_id="price_same")
