"""The Celery app of the reference app, and its two post-activation tasks.

The app server imports it to dispatch (``.delay()`` or the ``correct`` variant's outbox); the
worker process loads it through ``paychaos.reference_app.tasks.worker``, which sets Django up
first. Every setting comes from ``settings.PAYMENTS`` (``BROKER_URL`` and the ``BROKER_*``
timeouts); whether a task is acknowledged late is the variant's ``task_acks_late``.

No result backend: the app never waits for a task's result, so there is none to lose.
"""

from __future__ import annotations

import os
import time
from typing import Any

from celery import Celery, Task
from django.conf import settings
from django.utils import timezone

PROVISION = "provision_account"
RECEIPT = "send_receipt"
KINDS = (PROVISION, RECEIPT)

_cfg = settings.PAYMENTS


def _acks_late() -> bool:
    from paychaos.reference_app.payments.variants.registry import variant_class

    return bool(variant_class(_cfg.variant).task_acks_late)


app = Celery("paychaos_reference")
app.conf.update(
    broker_url=_cfg.broker_url or "memory://",
    task_ignore_result=True,
    result_backend=None,
    task_acks_late=_acks_late(),
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,
    broker_connection_timeout=_cfg.broker_connect_timeout,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    # A publish retries a few times, quickly, then raises (kombu's OperationalError).
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.1,
        "interval_max": 0.2,
    },
    broker_transport_options={
        "visibility_timeout": _cfg.broker_visibility_timeout,
        "socket_timeout": _cfg.broker_socket_timeout,
        "socket_connect_timeout": _cfg.broker_connect_timeout,
        # Look for messages past their visibility timeout every second, not every 100.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    },
)


def _hold(kind: str, point: str) -> float:
    """Seconds the first run of ``kind`` sleeps at ``point`` (``TASK_HOLD``), else 0."""
    if not _cfg.task_hold:
        return 0.0
    want_kind, want_point, seconds = _cfg.task_hold.split(":")
    return float(seconds) if (want_kind, want_point) == (kind, point) else 0.0


def perform(task: Task, kind: str, payload: dict[str, Any]) -> None:
    """Run ``kind`` for one activation: bookkeeping, the optional hold, the variant's body."""
    from paychaos.reference_app.payments.variants.registry import active_variant
    from paychaos.reference_app.tasks.models import TaskRun

    session_id = str(payload.get("session_id") or "")
    first = not TaskRun.objects.filter(kind=kind, checkout_session_id=session_id).exists()
    run = TaskRun.objects.create(
        kind=kind,
        checkout_session_id=session_id,
        task_id=str(task.request.id or ""),
        worker_pid=os.getpid(),
    )
    for point in ("before_effect", "after_effect"):
        seconds = _hold(kind, point) if first else 0.0
        if seconds:
            TaskRun.objects.filter(pk=run.pk).update(held=point)
            time.sleep(seconds)
            TaskRun.objects.filter(pk=run.pk).update(held="")
        if point == "before_effect":
            active_variant().run_task(task, kind, payload)
    TaskRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())


@app.task(bind=True, name="payments.provision_account")
def provision_account(self: Task, payload: dict[str, Any]) -> None:
    """Set the company's account up in the provisioning system."""
    perform(self, PROVISION, payload)


@app.task(bind=True, name="payments.send_receipt")
def send_receipt(self: Task, payload: dict[str, Any]) -> None:
    """Mail the receipt of the payment."""
    perform(self, RECEIPT, payload)


TASKS = {PROVISION: provision_account, RECEIPT: send_receipt}


def activation_payload(subscription: Any, session_id: str, amount: int | None) -> dict[str, Any]:
    """What both tasks are given: everything they need, so neither reads a row that may not
    be committed yet."""
    return {
        "session_id": session_id,
        "subscription_id": subscription.id,
        "company_id": subscription.company_id,
        "amount": amount,
    }


def broker_configured() -> bool:
    return bool(_cfg.broker_url)
