"""``POST /api/stripe/webhook/``: the raw body and the signature header go to the variant.

Replies (``correct``): 200 ``{"received": true, ...}`` once committed; 400 bad
signature or payload; 503 database unavailable (Stripe retries).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from paychaos.reference_app.payments.variants.registry import active_variant


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    """Hand the delivery to the active variant; plain Django so the body stays raw bytes."""
    reply = active_variant().receive_webhook(request.body, request.headers.get("Stripe-Signature"))
    return JsonResponse(reply.body, status=reply.status)
