"""HTTP routes of the reference app (see README.md for every endpoint and its JSON)."""

from __future__ import annotations

from django.urls import path

from paychaos.reference_app.payments.api import (
    catalog,
    checkout,
    internal,
    pages,
    subscriptions,
    validate,
    webhook,
)

urlpatterns = [
    path("healthz", pages.healthz),
    path("api/companies/", catalog.CompanyList.as_view()),
    path("api/plans/", catalog.PlanList.as_view()),
    path("api/checkout/", checkout.CreateCheckout.as_view()),
    path("api/stripe/webhook/", webhook.stripe_webhook),
    path("api/payments/validate/<str:session_id>/", validate.ValidateSession.as_view()),
    path(
        "api/companies/<int:company_id>/subscription/", subscriptions.CompanySubscription.as_view()
    ),
    path("api/_internal/notifications/drain/", internal.DrainNotifications.as_view()),
    path("api/_internal/tasks/drain/", internal.DrainTasks.as_view()),
    path("api/_internal/state/", internal.AppState.as_view()),
    path("payments/success/", pages.success_page),
    path("payments/cancel/", pages.cancel_page),
]

# The failpoint control endpoint is mounted in asgi.py (payments/failpoint_control.py).
