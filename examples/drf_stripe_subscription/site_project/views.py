"""The example site's own views: sign-up, a health check, and the library's webhook view wrapped
with paychaos failpoints (the library itself is not touched).

Where the failpoints sit: drf-stripe-subscription handles a ``customer.subscription.*`` event by
``Subscription.objects.update_or_create(...)`` (one transaction of its own: SELECT ... FOR
UPDATE, then INSERT or UPDATE, then COMMIT), then replaces the subscription's items. The
wrapper watches the SQL the library runs during the webhook and fires

- ``fulfil.before_insert`` just before the first write to the subscription table (the library
  has read what it needs and not written yet);
- ``fulfil.before_commit`` just after that write, still inside ``update_or_create``'s
  transaction (an exception there rolls the write back);
- ``fulfil.after_commit`` and ``webhook.before_response`` once the library's handler returned
  (everything it wrote is committed), before the 200 goes out; only for a webhook that wrote
  a subscription, so a crash aimed at fulfilment never lands on a product or price event.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, JsonResponse
from drf_stripe.views import StripeWebhook
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from paychaos.failpoints import failpoint

SUBSCRIPTION_TABLE = '"drf_stripe_subscription"'


def healthz(request: HttpRequest) -> JsonResponse:
    """Answers while the server can serve requests (no database call: a dead Postgres is not a hung app)."""
    return JsonResponse({"ok": True})


class SignupSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()


class Signup(APIView):
    """Create a user and hand the front end its API token (how the SPA signs in)."""

    permission_classes = [permissions.AllowAny]

    def post(self, request: Request) -> Response:
        form = SignupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user_model = get_user_model()
        if user_model.objects.filter(username=form.validated_data["username"]).exists():
            return Response({"username": ["taken"]}, status=status.HTTP_400_BAD_REQUEST)
        user = user_model(**form.validated_data)
        user.set_unusable_password()  # the example signs in with tokens only
        user.save()
        token = Token.objects.create(user=user, key=secrets.token_hex(20))
        return Response({"id": user.id, "token": token.key}, status=status.HTTP_201_CREATED)


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


class StripeWebhookWithFailpoints(StripeWebhook):
    """The library's ``StripeWebhook`` view, unchanged, with failpoints around its writes."""

    def post(self, request: Request) -> Response:
        watch = _SubscriptionWriteFailpoints()
        with connection.execute_wrapper(watch):
            response = super().post(request)
        if watch.fired:  # a fulfilment (a subscription written), not a product or price event
            failpoint("fulfil.after_commit")
            failpoint("webhook.before_response")
        return response
