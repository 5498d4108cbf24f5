"""I11: a client never obtains or sees another company's purchase.

Judged on the edited browser's requests: when a company's signed-in browser asks about a
session another company checked out (``tampered_validate``), the app's answer must not show
it as that browser's success nor carry what was bought (the subscription it granted); when
it reads another company's account page (``tampered_read``), the page must show none of that
company's subscriptions or sessions. Obtaining
it (a subscription of the asking company for that session) is judged with the final state.
Which company checked a session out is the harness's own knowledge (its checkout ops).
"""

from __future__ import annotations

from collections.abc import Sequence

from paychaos.app.traits import AppTraits
from paychaos.history import Event, completions
from paychaos.invariants import Invariant, Violation
from paychaos.invariants._common import buyers
from paychaos.state import FinalState

# What an answer about a session may carry only for the company that bought it.
REVEALING_KEYS = ("subscription_id", "subscription_status", "stripe_subscription_id")


def _foreign_asks(history: Sequence[Event]) -> list[tuple[Event, str]]:
    """Each completed edited validate by a browser of a company that did not buy the session,
    with the buyer's id."""
    buyer_of = buyers(history)
    out = []
    for event in completions(history, "tampered_validate"):
        session, asker = event.value.get("session"), event.value.get("signed_in_id")
        buyer = buyer_of.get(str(session))
        if asker is not None and buyer is not None and str(asker) != buyer:
            out.append((event, buyer))
    return out


def _foreign_reads(history: Sequence[Event]) -> list[Event]:
    """Each answered read of a company's account page by another company's browser, or by
    one where no one is signed in."""
    return [
        e
        for e in completions(history, "tampered_read")
        if e.type == "ok" and str(e.value.get("signed_in_id")) != str(e.value.get("company_id"))
    ]


def _reader(event: Event) -> str:
    signed_in = event.value.get("signed_in_id")
    return (
        "a browser where no one is signed in"
        if signed_in is None
        else (f"company {signed_in}'s browser")
    )


def check(history: Sequence[Event], state: FinalState) -> list[Violation]:
    found = []
    for event in _foreign_reads(history):
        shown = [k for k in ("session", "subscription_id") if event.value.get(k) is not None]
        if shown:
            found.append(
                INVARIANT.violation(
                    f"{_reader(event)} read company "
                    f"{event.value.get('company_id')}'s account page and was shown its "
                    f"{', '.join(shown)}",
                    [event],
                )
            )
    for event, buyer in _foreign_asks(history):
        body = event.value.get("body") or {}
        shown = [k for k in REVEALING_KEYS if isinstance(body, dict) and body.get(k) is not None]
        if event.value.get("told") == "success" or shown:
            found.append(
                INVARIANT.violation(
                    f"company {event.value.get('signed_in_id')}'s browser asked about session "
                    f"{event.value.get('session')}, bought by company {buyer}, and was shown "
                    + (f"its {', '.join(shown)}" if shown else '"Payment successful"'),
                    [event],
                )
            )
        asker = str(event.value.get("signed_in_id"))
        for sub in state.subscriptions:
            if sub.checkout_session_id == event.value.get("session") and sub.company_id == asker:
                found.append(
                    INVARIANT.violation(
                        f"company {asker} obtained subscription {sub.id} from session "
                        f"{sub.checkout_session_id}, which company {buyer} bought",
                        [event, sub],
                    )
                )
    return found


def _exercised(history: Sequence[Event], state: FinalState) -> str | None:
    paid = {s.id for s in state.sessions if s.paid}
    # Only an ask the app answered put the promise to it (no answer: it was down, or killed).
    if any(e.type != "info" and e.value.get("session") in paid for e, _ in _foreign_asks(history)):
        return None
    owners = {buyer for session, buyer in buyers(history).items() if session in paid}
    if any(str(e.value.get("company_id")) in owners for e in _foreign_reads(history)):
        return None
    return "no browser asked about a paid session, or read the account, of another company"


def _applies(traits: AppTraits) -> str | None:
    if traits.untrusted_client:
        return None
    return "the adapter cannot send an edited browser's requests (traits.untrusted_client)"


INVARIANT = Invariant(
    id="I11",
    title="a client never obtains or sees another company's purchase",
    meaning="one customer shown or handed another company's purchase",
    check=check,
    exercised=_exercised,
    applies=_applies,
)
