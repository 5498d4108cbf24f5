"""What one webhook attempt will do; delivery actions reshape it before it is sent."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AttemptPlan:
    """The knobs of one attempt, set to normal delivery and changed by at most one policy."""

    now: int
    attempt: int
    timestamp: int
    secrets: list[str]
    timeout: float
    send: bool = True
    # Why nothing was sent (drop), recorded as the attempt's error.
    not_sent_reason: str | None = None
    # A whole ``Stripe-Signature`` header to send instead of the real one ("" sends none).
    signature_override: str | None = None
    copies: int = 1
    concurrent: bool = False
    # Send, wait for the answer, then count a failure anyway (the emulator "timed out").
    force_failure: str | None = None
    # Send the same captured bytes again this many emulator seconds later.
    replay_after: int | None = None
    # Do not attempt now: try again at this emulator time (delay).
    postpone_until: int | None = None
    # Do not attempt now: wait until this many later deliveries to the endpoint went out.
    hold_for: int | None = None
    labels: list[str] = field(default_factory=list)
