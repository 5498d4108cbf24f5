"""What the task side writes: the effects the harness judges, and the bookkeeping of each run.

``TaskEffect`` has no uniqueness on purpose: a task that runs twice leaves two rows, which is
what the harness must be able to see. Exactly-once is the variant's job (``TaskDone`` in the
``correct`` variant, inserted in the same transaction as the effect).
"""

from __future__ import annotations

from django.db import models


class TaskEffect(models.Model):
    """One run of a post-activation task that did its work (an account provisioned, a mail sent)."""

    kind = models.CharField(max_length=60, db_index=True)
    checkout_session_id = models.CharField(max_length=255, db_index=True)
    subscription_id = models.BigIntegerField(null=True, blank=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    task_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)


class TaskRun(models.Model):
    """A task started by a worker process (``worker_pid``); ``finished_at`` once it returned.

    A run whose worker was killed stays unfinished for good; the harness counts only the runs
    of the worker it is waiting for.
    """

    kind = models.CharField(max_length=60)
    checkout_session_id = models.CharField(max_length=255, db_index=True)
    task_id = models.CharField(max_length=255, blank=True, default="")
    worker_pid = models.IntegerField(db_index=True)
    held = models.CharField(max_length=40, blank=True, default="")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class TaskOutbox(models.Model):
    """A task owed, written in the transaction of the activation it follows (``correct``).

    Published after commit; published again while not ``done_at`` (the broker may lose a
    message: a Redis restarted empty, a worker killed after taking it).
    """

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")


class TaskDone(models.Model):
    """The idempotency key of a task: one row per (task, activation), with its effect."""

    kind = models.CharField(max_length=60)
    activation = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "activation"], name="tasks_done_once")
        ]
