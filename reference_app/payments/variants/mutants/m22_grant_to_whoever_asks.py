"""M22: validate grants by session id alone, to whichever company is signed in.

Bug: the success endpoint looks the session up by its id, sees it paid, and gives the
subscription to the signed-in account, never checking that the session was that account's.

Source: filiksyos/gitreverse#85 (review: any authenticated user who knows another user's
``session_id`` can claim that checkout and take over its subscription).

Harm: a leaked or guessed success URL hands a paid subscription to another company; the
company that paid has nothing.
"""

from __future__ import annotations

from typing import Any

from paychaos.reference_app.payments.variants.base import ClientClaims
from paychaos.reference_app.payments.variants.correct import CorrectVariant


class GrantToWhoeverAsks(CorrectVariant):
    name = "mutant:M22"

    def may_see(self, company_id: int | None, claims: ClientClaims) -> bool:
        return True

    def as_claimed(self, session: dict[str, Any], claims: ClientClaims) -> dict[str, Any]:
        if claims.signed_in_company is None:
            return session
        metadata = {**(session.get("metadata") or {}), "company_id": str(claims.signed_in_company)}
        return {**session, "metadata": metadata}
