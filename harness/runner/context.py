"""What one run knows while it runs: the environment, the history, and the names steps use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paychaos.errors import ConfigError
from paychaos.history import History

if TYPE_CHECKING:
    from paychaos.environment import Environment


# In a webhook policy: the event(s) the app under test grants the subscription on.
FULFILMENT_EVENT = "$fulfilment"

# The plans a schedule can sell (name -> price in cents).
PLANS = {"pro": 14900, "basic": 4900}


@dataclass
class RunContext:
    """Per-run state. Steps name sessions and companies by alias (``s1``, ``c1``)."""

    env: Environment
    history: History
    seed: int
    sessions: dict[str, str] = field(default_factory=dict)  # alias -> cs_...
    session_company: dict[str, str] = field(default_factory=dict)  # session alias -> company alias
    companies: dict[str, str] = field(default_factory=dict)  # alias -> app company id
    forged: dict[str, str] = field(default_factory=dict)  # alias -> invented session id
    left: set[str] = field(default_factory=set)  # session aliases whose customer closed the tab
    told: dict[str, str] = field(default_factory=dict)  # session id -> what its page last showed
    # event id -> (event type, signature timestamp) of its last genuine delivery the app took
    delivered: dict[str, tuple[str, int]] = field(default_factory=dict)

    def session_id(self, alias: str, step: str) -> str:
        try:
            return self.sessions[alias]
        except KeyError:
            raise ConfigError(
                f"step {step} names session {alias!r} before a checkout step created it",
                hint=f"add checkout(session={alias!r}) earlier in the schedule",
            ) from None

    def plan_id(self, name: str) -> str | None:
        """The app's id of a plan sold through a Stripe price, created on first use."""
        if name not in PLANS:
            return None
        return self.env.plan_id(name, PLANS[name])

    def company_id(self, alias: str) -> str:
        if alias not in self.companies:
            self.companies[alias] = self.env.app.create_company(f"Company {alias}")
            self.env.watch_company(self.companies[alias])
        return self.companies[alias]

    def customer(self, company_alias: str) -> str:
        """The history's process name for a company's browser."""
        return f"customer:{company_alias}"

    def resolve(self, spec: dict) -> list[dict]:
        """Copies of a policy/rule spec for this app: session aliases replaced by real session
        ids, and ``event_type: "$fulfilment"`` by each event the app fulfils on (one rule each),
        so a scenario aims at the event that matters to the app under test."""
        out = dict(spec)
        if isinstance(out.get("session"), str):
            out["session"] = self.sessions.get(out["session"], out["session"])
        if out.get("event_type") == FULFILMENT_EVENT:
            return [{**out, "event_type": event} for event in self.env.app.traits.fulfils_on]
        return [out]

    def company_ids_by_session(self, alias: str) -> str:
        """The app id of the company a session (or a forgery naming it) belongs to."""
        return self.company_id(self.session_company.get(alias, "c1"))
