"""Errors as JSON: a database outage is a 503 (retry later), never an HTML 500 page."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger("paychaos.reference_app.payments.api")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: database errors become 503 ``{"error": ...}``."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, DatabaseError):
        log.warning("database unavailable: %s", exc)
        return Response({"error": "database unavailable", "retry": True}, status=503)
    return None
