"""The delivery policies of one emulator: ordered rules, first match wins."""

from __future__ import annotations

import random
from typing import Any

from paychaos.stripe_emulator.faults.delivery import DELIVERY_ACTIONS
from paychaos.stripe_emulator.faults.rules import Rule, glob_matches, parse_rule

MATCH_KEYS = ("event_id", "event_type", "endpoint_id", "attempt")


class DeliveryPolicies:
    """Rules matched per (event, endpoint, attempt number); seeded for probabilities."""

    def __init__(self, seed: int) -> None:
        self.rules: list[Rule] = []
        self._rng = random.Random(f"{seed}:delivery")
        self._next = 0

    def add(self, spec: dict[str, Any]) -> Rule:
        """Parse and append one rule; returns it (with its id)."""
        self._next += 1
        rule = parse_rule(spec, DELIVERY_ACTIONS, MATCH_KEYS, f"dp_{self._next}")
        attempt = rule.match.get("attempt")
        if attempt is not None and not (
            isinstance(attempt, int)
            or (isinstance(attempt, list) and all(isinstance(a, int) for a in attempt))
        ):
            from paychaos.stripe_emulator.errors import invalid

            raise invalid("attempt must be an integer or a list of integers", param="attempt")
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self.rules = []

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
        for rule in self.rules:
            if getattr(rule.action, "at_emit", False) or rule.id in skip:
                continue
            if self._matches(rule, event, endpoint_id, attempt) and rule.fires(self._rng):
                return rule
        return None

    def twins_for(self, event: dict[str, Any]) -> int:
        """How many extra distinct events to emit for this one (``twin`` rules that fire)."""
        count = 0
        for rule in self.rules:
            if getattr(rule.action, "at_emit", False):
                matches = glob_matches(rule.match.get("event_type"), event["type"])
                if matches and rule.fires(self._rng):
                    count += 1
        return count
