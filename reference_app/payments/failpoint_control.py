"""Mounting the failpoint control endpoint (only when ``PAYCHAOS_FAILPOINTS`` is on).

The endpoint itself belongs to ``harness.failpoints``; this module only looks
for the Django URL helper it exposes and mounts it under ``/_failpoints/``.
"""

from __future__ import annotations

import logging

from django.urls import URLPattern, URLResolver

log = logging.getLogger("reference_app.payments")


def failpoint_urlpatterns() -> list[URLPattern | URLResolver]:
    """The failpoint control routes, or none when the failpoint library offers no Django helper."""
    try:
        import harness.failpoints as failpoints
    except ModuleNotFoundError:
        log.warning("PAYCHAOS_FAILPOINTS is on but harness.failpoints is not installed")
        return []
    # HOOK: the failpoint library's Django routes, if it provides them.
    helper = getattr(failpoints, "django_urlpatterns", None)
    if helper is None:
        log.warning("PAYCHAOS_FAILPOINTS is on but harness.failpoints has no django_urlpatterns()")
        return []
    return list(helper())
