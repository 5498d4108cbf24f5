"""I10: what was paid for is what was granted.

For every paid session: each active subscription the app holds for it is for the plan whose
price the session charged, and belongs to the company that checked out (and pays); each
payment row records the amount and currency Stripe charged. No value a client chose (a
plan named on the success page, a price named at checkout, a company claimed) changes that.

The company that checked out is the harness's own knowledge (its checkout op), never the
app's metadata. A field the adapter does not read (None) is not compared.
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.history import Event
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import buyers, payments_for, subscriptions_for, unpaid_reason
from paychaos.state import FinalState


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    buyer_of = buyers(history)
    for session in state.sessions:
        if not session.paid:
            continue
        buyer = buyer_of.get(session.id, session.company_id)
        for sub in subscriptions_for(state, session):
            if not sub.active:
                continue
            if (
                sub.plan_price_id
                and session.price_ids
                and sub.plan_price_id not in session.price_ids
            ):
                found.append(
                    INVARIANT.violation(
                        f"subscription {sub.id} grants the plan sold at price "
                        f"{sub.plan_price_id}, but session {session.id} charged "
                        f"{', '.join(session.price_ids)} ({_money(session.amount_total, session.currency)})",
                        [sub, session],
                    )
                )
            if buyer is not None and sub.company_id is not None and sub.company_id != buyer:
                found.append(
                    INVARIANT.violation(
                        f"subscription {sub.id} for session {session.id} belongs to company "
                        f"{sub.company_id}, but company {buyer} checked out and paid",
                        [sub, session],
                    )
                )
        for payment in payments_for(state, session):
            amount_wrong = (
                payment.amount is not None
                and session.amount_total is not None
                and (payment.amount != session.amount_total)
            )
            currency_wrong = (
                payment.currency is not None
                and session.currency is not None
                and (payment.currency.lower() != session.currency.lower())
            )
            if amount_wrong or currency_wrong:
                found.append(
                    INVARIANT.violation(
                        f"payment {payment.id} records {_money(payment.amount, payment.currency)} "
                        f"for session {session.id}, which Stripe charged "
                        f"{_money(session.amount_total, session.currency)}",
                        [payment, session],
                    )
                )
    return found


def _money(amount: int | None, currency: str | None) -> str:
    return f"{amount if amount is not None else '?'} {(currency or '?').upper()} (minor units)"


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    reason = unpaid_reason(history, state)
    if reason:
        return reason
    for session in state.sessions:
        if session.paid and (
            any(s.active for s in subscriptions_for(state, session)) or payments_for(state, session)
        ):
            return None
    return "no paid session was granted anything to compare with what it charged"


INVARIANT = Invariant(
    id="I10",
    title="what was paid for is what was granted: plan, amount, currency and company",
    meaning="customer got another plan, another company's purchase, or a wrong amount booked",
    check=check,
    exercised=_exercised,
)
