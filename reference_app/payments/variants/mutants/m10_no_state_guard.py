"""M10: subscription events applied blindly from the payload, with no state guard.

Bug: ``customer.subscription.updated`` writes the payload's status whatever
the subscription's current state and whatever the event's age: a late
``updated`` (status ``active``) after ``deleted`` brings the subscription back.

Sources: laravel/cashier-stripe#1201; TryGhost/Members#240.

Harm: a customer who canceled (or whose card failed) keeps, or regains,
access; status flips backwards under reordered deliveries.
"""

from __future__ import annotations

from paychaos.reference_app.payments.models import Subscription
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class NoStateGuard(CorrectVariant):
    name = "mutant:M10"

    def apply_subscription_status(
        self, stripe_sub_id: str, status: str, event_created: int | None
    ) -> int:
        return Subscription.objects.filter(stripe_subscription_id=stripe_sub_id).update(
            status=status, status_event_created=event_created
        )
