"""Errors as JSON: a database outage is a 503 (retry later), never an HTML 500 page; a value
no column takes (an id too long, a number out of range) is the request's fault: 400."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, DataError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger("paychaos.reference_app.payments.api")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: database errors become 503 ``{"error": ...}``."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, DataError):
        return Response({"error": "invalid value", "detail": str(exc)[:300]}, status=400)
    if isinstance(exc, DatabaseError):
        log.warning("database unavailable: %s", exc)
        return Response({"error": "database unavailable", "retry": True}, status=503)
    return None
