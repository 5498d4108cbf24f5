"""The worker's entry point: ``celery -A paychaos.reference_app.tasks.worker worker``.

Sets Django up before the tasks' module is loaded, as the app server's ASGI entry does.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paychaos.reference_app.settings")
django.setup()

from paychaos.reference_app.tasks.celery_app import app  # noqa: E402

__all__ = ["app"]
