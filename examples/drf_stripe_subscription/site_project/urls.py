"""URLs: the library's routes under ``stripe/`` as its README says, its webhook wrapped with
failpoints, sign-up, a health check, and paychaos's failpoint control (only when enabled)."""

from django.urls import include, path

from paychaos.failpoints import failpoint_urlpatterns
from site_project import views

urlpatterns = [
    # Before the library's own routes, so this one answers /stripe/webhook/.
    path("stripe/webhook/", views.StripeWebhookWithFailpoints.as_view()),
    path("stripe/", include("drf_stripe.urls")),
    path("accounts/signup/", views.Signup.as_view()),
    path("healthz", views.healthz),
    *failpoint_urlpatterns(),
]
