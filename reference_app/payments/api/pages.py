"""Browser pages: the success page the Checkout redirect lands on, and the health check."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def success_page(request: HttpRequest) -> HttpResponse:
    """HTML that calls validate and says "Payment successful" or "Payment failed"."""
    return render(
        request, "payments/success.html", {"session_id": request.GET.get("session_id", "")}
    )


def cancel_page(request: HttpRequest) -> HttpResponse:
    """Where Checkout sends a customer who gave up."""
    return HttpResponse("<!doctype html><title>Payment canceled</title><h1>Payment canceled</h1>")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up and serving this variant."""
    return JsonResponse({"status": "ok", "variant": settings.PAYMENTS.variant})
