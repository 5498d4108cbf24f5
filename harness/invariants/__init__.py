"""The product's promises, I1-I11, as pure checkers.

Each invariant lives in its own module and is registered below by one line.
A checker is a pure function ``(history, final_state) -> list[Violation]``;
each violation carries the evidence (events and state items) that proves it.

>>> from paychaos.invariants import check_all
>>> check_all([], FinalState())
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from paychaos.app.traits import AppTraits
from paychaos.history import Event
from paychaos.state import FinalState

Checker = Callable[[Sequence[Event], FinalState], list["Violation"]]
# (history, final state) -> why the run never reached the promise's situation, or None.
Exercised = Callable[[Sequence[Event], FinalState], str | None]
# What the app does -> why the promise does not apply to it, or None.
Applies = Callable[[AppTraits], str | None]


@dataclass(frozen=True)
class Violation:
    """A broken promise, with the proof."""

    invariant: str
    message: str
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant,
            "message": self.message,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Invariant:
    """A promise every payments app must keep."""

    id: str
    title: str
    check: Checker
    # What a broken promise costs, in the customer's words (the report's "means" column).
    meaning: str = ""
    # Whether a run reached the promise's situation; a kept promise that was never put to
    # the test is "not exercised", never "kept".
    exercised: Exercised | None = None
    # Whether the promise applies to an app at all (no payment rows, no notifications).
    applies: Applies | None = None

    def violation(self, message: str, evidence: Iterable[Any] = ()) -> Violation:
        return Violation(self.id, message, tuple(_as_evidence(e) for e in evidence))


def _as_evidence(item: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    if isinstance(item, Event):
        return {
            "event": item.index,
            "op": item.op,
            "process": item.process,
            "type": item.type,
            "name": item.name,
            "value": item.value,
            "time": item.time,
        }
    if is_dataclass(item) and not isinstance(item, type):
        return {"kind": type(item).__name__, **asdict(item)}
    if isinstance(item, dict):
        return item
    return {"note": str(item)}


# One line per promise: adding one is a new module ``iN_name.py`` plus its name here.
MODULES = (
    "i1_one_active_subscription",
    "i2_no_unpaid_subscription",
    "i3_one_payment",
    "i4_customer_told_truth",
    "i5_webhooks_acknowledged",
    "i6_forgeries_change_nothing",
    "i7_no_resurrection",
    "i8_activation_notified",
    "i9_tasks_exactly_once",
    "i10_paid_for_is_granted",
    "i11_no_foreign_purchase",
)


def _registry() -> dict[str, Invariant]:
    import importlib

    found = [importlib.import_module(f"{__name__}.{name}").INVARIANT for name in MODULES]
    return {inv.id: inv for inv in found}


INVARIANTS: dict[str, Invariant] = {}


def invariants() -> dict[str, Invariant]:
    """Every registered invariant by id, in order (I1..I8)."""
    if not INVARIANTS:
        INVARIANTS.update(_registry())
    return INVARIANTS


def check_all(
    history: Sequence[Event], state: FinalState, only: Iterable[str] | None = None
) -> list[Violation]:
    """Run every invariant (or those in ``only``) and return all violations, in invariant order."""
    wanted = set(only) if only is not None else None
    found: list[Violation] = []
    for inv_id, inv in invariants().items():
        if wanted is None or inv_id in wanted:
            found.extend(inv.check(history, state))
    return found
