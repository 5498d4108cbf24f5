"""M15: a task acknowledged late whose body is not idempotent.

Bug: the tasks keep ``acks_late`` (a worker lost mid-task gets its message back) but do their
work on every run, with no key per (task, activation). A worker killed after the effect and
before the acknowledgement, or a task that outlives the broker's visibility timeout, runs
again: two receipts, the account provisioned twice.

Sources: celery/celery#5306 and #5935 (tasks run again after the Redis visibility timeout);
dimagi/open-chat-studio#4084 (``acks_late`` made global: a task still running at the
visibility timeout starts a second copy); Celery's docs (``acks_late`` needs idempotent tasks).
"""

from __future__ import annotations

from paychaos.reference_app.payments.variants.correct import CorrectVariant


class NonIdempotentTask(CorrectVariant):
    name = "mutant:M15"

    def claim_task(self, kind: str, session_id: str) -> bool:
        return True  # no key: every run does the work
