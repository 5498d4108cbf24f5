"""The example site's own views: sign-up, Checkout, the success page, the account page, a health
check, and dj-stripe's webhook view wrapped with paychaos failpoints (dj-stripe is not touched).

Checkout and the success page are written the way dj-stripe is meant to be used: the Stripe
customer comes from ``Customer.get_or_create(subscriber=user)``, the Checkout Session is
created with stripe-python and carries the subscriber's id in its metadata (dj-stripe's
``DJSTRIPE_SUBSCRIBER_CUSTOMER_KEY``), and access is granted from dj-stripe's synced models:
a user has access while one of their customer's ``Subscription`` rows is active or trialing.
The success page does not wait for the webhook: it syncs the session and its subscription
from Stripe with dj-stripe's ``sync_from_stripe_data`` (Stripe's fulfilment guide: fulfil on
the success page too, in case the webhook is late or lost).

Where the failpoints sit: dj-stripe writes a subscription with ``sync_from_stripe_data``
(a SELECT, then an INSERT or UPDATE of ``djstripe_subscription``), in the webhook inside
``Event.process``'s transaction, on the success page inside this module's. An execute wrapper
watches the SQL of the request and fires

- ``fulfil.before_insert`` just before the first write to the subscription table;
- ``fulfil.before_commit`` just after it, still inside the transaction (an exception there
  rolls the write back);
- ``fulfil.after_commit`` and ``webhook.before_response`` once the work is committed, before
  the answer goes out; only for a request that wrote a subscription.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import stripe
from django.contrib.auth import get_user_model, login
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from djstripe.models import Customer, Session, Subscription
from djstripe.settings import djstripe_settings
from djstripe.views import ProcessWebhookView

from paychaos.failpoints import failpoint

SUBSCRIPTION_TABLE = '"djstripe_subscription"'
# The statuses in which a Stripe subscription grants access.
ACCESS_STATUSES = ("active", "trialing")
# The status of a subscription whose first payment never went through.
PAYMENT_FAILED_STATUS = "incomplete_expired"


def healthz(request: HttpRequest) -> JsonResponse:
    """Answers while the server can serve requests (no database call: a dead Postgres is not a hung app)."""
    return JsonResponse({"ok": True})


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def signup(request: HttpRequest) -> JsonResponse:
    """``POST {"username", "email"}``: create a user and sign the browser in (a session cookie)."""
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    body = _json_body(request)
    username, email = str(body.get("username", "")).strip(), str(body.get("email", "")).strip()
    if not username or not email:
        return JsonResponse({"error": "username and email are required"}, status=400)
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        return JsonResponse({"error": "username taken"}, status=400)
    user = user_model(username=username, email=email)
    user.set_unusable_password()  # the example signs in at sign-up only
    user.save()
    login(request, user)
    return JsonResponse({"id": user.id}, status=201)


def _signed_in(request: HttpRequest) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in first"}, status=401)
    return None


def checkout(request: HttpRequest) -> JsonResponse:
    """``POST {"price_id"}``: a subscription Checkout Session for the signed-in user."""
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    if (refused := _signed_in(request)) is not None:
        return refused
    price_id = str(_json_body(request).get("price_id", "")).strip()
    if not price_id:
        return JsonResponse({"error": "price_id is required"}, status=400)
    customer, _created = Customer.get_or_create(subscriber=request.user)
    base = request.build_absolute_uri("/")
    session = stripe.checkout.Session.create(
        api_key=djstripe_settings.STRIPE_SECRET_KEY,
        stripe_version=djstripe_settings.STRIPE_API_VERSION,
        customer=customer.id,
        mode="subscription",
        line_items=[{"price": price_id, "quantity": 1}],
        success_url=base + "billing/success/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=base + "billing/account/",
        metadata={djstripe_settings.SUBSCRIBER_CUSTOMER_KEY: str(request.user.id)},
    )
    return JsonResponse({"session_id": session.id, "url": session.url})


class _SubscriptionWriteFailpoints:
    """A database execute wrapper: failpoints around the first write to the subscription table."""

    def __init__(self) -> None:
        self.fired = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        writes = not self.fired and sql.lstrip().upper().startswith(("INSERT", "UPDATE"))
        if writes and SUBSCRIPTION_TABLE in sql.split("(", 1)[0].split(" SET ", 1)[0]:
            self.fired = True
            failpoint("fulfil.before_insert")
            result = execute(sql, params, many, context)
            failpoint("fulfil.before_commit")
            return result
        return execute(sql, params, many, context)


def success(request: HttpRequest) -> JsonResponse:
    """``GET ?session_id=``: what the success page shows, after syncing the session from Stripe.

    ``status`` is "success" once the session's subscription grants access, "failed" when the
    payment never went through (the session expired, or the first invoice was never paid),
    "ended" when the subscription was paid and has since been canceled (not a failed
    payment), else "pending" (the page keeps confirming).
    """
    if (refused := _signed_in(request)) is not None:
        return refused
    session_id = request.GET.get("session_id", "").strip()
    if not session_id.startswith("cs_"):
        return JsonResponse({"error": "session_id is required"}, status=400)
    stripe_session = Session(id=session_id).api_retrieve()
    metadata = stripe_session.get("metadata") or {}
    if metadata.get(djstripe_settings.SUBSCRIBER_CUSTOMER_KEY) != str(request.user.id):
        return JsonResponse({"error": "no such session"}, status=404)
    subscription_id = stripe_session.get("subscription")
    stripe_subscription = (
        Subscription(id=subscription_id).api_retrieve() if subscription_id else None
    )
    watch = _SubscriptionWriteFailpoints()
    with connection.execute_wrapper(watch), transaction.atomic():
        if stripe_subscription is not None:
            subscription = Subscription.sync_from_stripe_data(stripe_subscription)
        else:
            subscription = None
        Session.sync_from_stripe_data(stripe_session)
    if watch.fired:
        failpoint("fulfil.after_commit")
    status = subscription.status if subscription is not None else None
    if status in ACCESS_STATUSES:
        told = "success"
    elif stripe_session.get("status") == "expired" or status == PAYMENT_FAILED_STATUS:
        told = "failed"
    elif status == "canceled":
        told = "ended"
    else:
        told = "pending"
    return JsonResponse({"status": told, "subscription": subscription_id, "stripe": status})


def account(request: HttpRequest) -> JsonResponse:
    """``GET``: the signed-in user's subscriptions as dj-stripe holds them, newest first."""
    if (refused := _signed_in(request)) is not None:
        return refused
    rows = Subscription.objects.filter(customer__subscriber=request.user).order_by("-created")
    listed = [{"id": s.id, "status": s.status} for s in rows]
    active = [s for s in listed if s["status"] in ACCESS_STATUSES]
    return JsonResponse({"subscriptions": listed, "has_access": bool(active)})


class ProcessWebhookViewWithFailpoints(ProcessWebhookView):
    """dj-stripe's ``ProcessWebhookView``, unchanged, with failpoints around its writes."""

    def post(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        watch = _SubscriptionWriteFailpoints()
        with connection.execute_wrapper(watch):
            response = super().post(request, uuid)
        if watch.fired:  # a fulfilment (a subscription written)
            failpoint("fulfil.after_commit")
            failpoint("webhook.before_response")
        return response
