"""M21: the success page's plan is trusted: validate fulfils the plan the URL names.

Bug: the success URL (or the validate body) carries the plan beside the session id, and
validate fulfils that plan instead of the one the session was created and paid for. The
query string is the client's to edit.

Source: unkeyed/unkey#2120 (a success page reads ``new_plan`` from the search params; the
review points out they can be manipulated).

Harm: a customer pays for the cheap plan, edits the URL, and gets the expensive one.
"""

from __future__ import annotations

from typing import Any

from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class ClientPlanOnSuccessPage(CorrectVariant):
    name = "mutant:M21"

    def as_claimed(self, session: dict[str, Any], claims: ClientClaims) -> dict[str, Any]:
        if claims.plan_id is None:
            return session
        metadata = {**(session.get("metadata") or {}), "plan_id": str(claims.plan_id)}
        return {**session, "metadata": metadata}
