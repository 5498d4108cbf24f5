"""Verdicts: what each promise came to in one run, and the exit code of a whole command.

Each promise, for each run, is one of:

=============  ==============================================================================
kept           the situation the promise is about happened, and the promise held
broken         it did not hold, and a rerun of the same schedule breaks it again
flaky          it did not hold once, but a rerun of the same schedule kept it
n/a            the promise does not apply to this app (the reason says why)
not exercised  the run never reached the promise's situation (the reason says why)
=============  ==============================================================================

>>> exit_code([])
0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    KEPT = "kept"
    BROKEN = "broken"
    FLAKY = "flaky"
    NOT_APPLICABLE = "n/a"
    NOT_EXERCISED = "not exercised"


@dataclass(frozen=True)
class PromiseVerdict:
    """One promise's verdict in one run, with the reason for n/a and not exercised."""

    invariant: str
    verdict: Verdict
    reason: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"invariant": self.invariant, "verdict": str(self.verdict), "reason": self.reason}


# Exit codes shared by run, explore, replay and mutants. 2 (bad input) and 3 (the harness's
# own environment failed) come from errors, before any verdict exists.
EXIT_KEPT = 0
EXIT_BROKEN = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3
EXIT_FLAKY = 4
EXIT_NOT_EXERCISED = 5


def exit_code(verdicts: Iterable[Verdict]) -> int:
    """1 if anything is broken, else 4 if flaky, else 5 if not exercised, else 0."""
    seen = set(verdicts)
    if Verdict.BROKEN in seen:
        return EXIT_BROKEN
    if Verdict.FLAKY in seen:
        return EXIT_FLAKY
    if Verdict.NOT_EXERCISED in seen:
        return EXIT_NOT_EXERCISED
    return EXIT_KEPT


def strict_flaky_exit(code: int, strict_flaky: bool) -> int:
    """``--strict-flaky``: a command whose only failures are flaky exits 1, not 4.

    >>> strict_flaky_exit(EXIT_FLAKY, True), strict_flaky_exit(EXIT_FLAKY, False)
    (1, 4)
    """
    return EXIT_BROKEN if strict_flaky and code == EXIT_FLAKY else code
