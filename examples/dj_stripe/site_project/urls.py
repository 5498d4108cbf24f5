"""URLs: dj-stripe's routes under ``stripe/`` as its documentation says (its webhook view
wrapped with failpoints), the site's billing pages, sign-up, a health check, and paychaos's
failpoint control (only when enabled)."""

from django.urls import include, path

from paychaos.failpoints import failpoint_urlpatterns
from site_project import views

urlpatterns = [
    # Before dj-stripe's own routes, so this one answers its webhook URL.
    path("stripe/webhook/<uuid:uuid>/", views.ProcessWebhookViewWithFailpoints.as_view()),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("accounts/signup/", views.signup),
    path("billing/checkout/", views.checkout),
    path("billing/success/", views.success),
    path("billing/account/", views.account),
    path("healthz", views.healthz),
    *failpoint_urlpatterns(),
]
