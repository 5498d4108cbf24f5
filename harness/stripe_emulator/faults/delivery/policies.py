"""The delivery policies of one emulator: ordered rules, first match wins."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.faults.delivery import DELIVERY_ACTIONS
from paychaos.stripe_emulator.faults.rules import Rule, RuleSet, glob_matches

MATCH_KEYS = ("event_id", "event_type", "endpoint_id", "attempt")


class DeliveryPolicies(RuleSet):
    """Rules matched per (event, endpoint, attempt number); seeded for probabilities."""

    actions = DELIVERY_ACTIONS
    match_keys = MATCH_KEYS
    id_prefix = "dp"
    rng_salt = "delivery"

    def check(self, rule: Rule) -> None:
        attempt = rule.match.get("attempt")
        if attempt is not None and not (
            isinstance(attempt, int)
            or (isinstance(attempt, list) and all(isinstance(a, int) for a in attempt))
        ):
            from paychaos.stripe_emulator.errors import invalid

            raise invalid("attempt must be an integer or a list of integers", param="attempt")

    def _matches(
        self, rule: Rule, event: dict[str, Any], endpoint_id: str, attempt: int | None
    ) -> bool:
        m = rule.match
        if "event_id" in m and m["event_id"] != event["id"]:
            return False
        if not glob_matches(m.get("event_type"), event["type"]):
            return False
        if "endpoint_id" in m and m["endpoint_id"] != endpoint_id:
            return False
        if "attempt" in m and attempt is not None:
            wanted = m["attempt"]
            if attempt not in (wanted if isinstance(wanted, list) else [wanted]):
                return False
        return True

    def for_attempt(
        self, event: dict[str, Any], endpoint_id: str, attempt: int, skip: set[str]
    ) -> Rule | None:
        """The first attempt-time rule that matches and fires (rules in ``skip`` excluded)."""
        return self.first_firing(
            lambda rule: (
                not getattr(rule.action, "at_emit", False)
                and rule.id not in skip
                and self._matches(rule, event, endpoint_id, attempt)
            )
        )

    def twins_for(self, event: dict[str, Any]) -> int:
        """How many extra distinct events to emit for this one (``twin`` rules that fire)."""
        count = 0
        for rule in self.rules:
            if getattr(rule.action, "at_emit", False):
                matches = glob_matches(rule.match.get("event_type"), event["type"])
                if matches and rule.fires(self._rng):
                    count += 1
        return count
