"""M5: a lock that does not lock: ``select_for_update()`` is built but never evaluated.

Bug: fulfilment means to lock the company row, then check "already
fulfilled?", then insert (a sound design, the one ``seed_fix``'s service
uses). But the locking queryset is lazy and never evaluated, so no ``SELECT
... FOR UPDATE`` reaches Postgres and the check-then-insert runs unlocked.

Source: svthalia/concrexit#3368.

Harm: the webhook and validate at the same moment both fulfil: two
subscriptions and two payments. It passes every single-threaded test, and
SQLite (which ignores ``FOR UPDATE``) would hide it even if it were evaluated.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from paychaos.reference_app.payments.failpoints import failpoint
from paychaos.reference_app.payments.models import CheckoutFulfilment, Company, Subscription
from paychaos.reference_app.payments.variants.base import session_refs
from paychaos.reference_app.payments.variants.correct import Fulfilment
from paychaos.reference_app.payments.variants.mutants._without_ledger import WithoutLedger


class LockThatDoesNotLock(WithoutLedger):
    name = "mutant:M5"

    def fulfil_paid_session(
        self, session: dict[str, Any], *, source: str, event_created: int | None = None
    ) -> Fulfilment:
        company_id, _ = session_refs(session)
        with transaction.atomic():
            Company.objects.select_for_update().filter(pk=company_id)  # lazy: never locks
            return super().fulfil_paid_session(session, source=source, event_created=event_created)

    def claim_fulfilment(self, key: str, source: str) -> CheckoutFulfilment | None:
        if Subscription.objects.filter(checkout_session_id=key).exists():
            return None
        failpoint("fulfil.before_insert")  # checked, not yet inserted
        return CheckoutFulfilment(checkout_session_id=key, source=source)  # never saved
