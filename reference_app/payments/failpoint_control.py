"""Mounting the failpoint control endpoint (only when ``PAYCHAOS_FAILPOINTS`` is on).

The endpoint belongs to ``paychaos.failpoints``: its ASGI wrapper answers
``/__failpoints/...`` before Django sees the request, so the harness can
still set and release failpoints while every Django worker is paused at one,
or while the database is down.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

log = logging.getLogger("paychaos.reference_app.payments")


def with_failpoint_control_if_enabled(app: Any) -> Any:
    """``app`` wrapped with the failpoint control endpoint when enabled, else ``app`` itself."""
    if not settings.PAYMENTS.failpoints_enabled:
        return app
    try:
        from paychaos.failpoints import with_failpoint_control
    except ImportError as exc:
        log.warning("PAYCHAOS_FAILPOINTS is on but the failpoint library is missing: %s", exc)
        return app
    return with_failpoint_control(app)
