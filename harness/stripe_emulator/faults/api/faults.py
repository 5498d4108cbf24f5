"""The API fault rules of one emulator, matched per (method, path); first match wins."""

from __future__ import annotations

import random
from typing import Any

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.faults.api import API_ACTIONS
from paychaos.stripe_emulator.faults.rules import Rule, glob_matches, parse_rule

MATCH_KEYS = ("method", "path")
METHODS = ("GET", "POST", "DELETE", "*")


class ApiFaults:
    """Ordered rules; ``first`` counts matching calls, ``probability`` draws from a seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rules: list[Rule] = []
        self._rng = random.Random(f"{seed}:api")
        self._next = 0

    def add(self, spec: dict[str, Any]) -> Rule:
        """Parse and append one rule; returns it (with its id)."""
        self._next += 1
        rule = parse_rule(spec, API_ACTIONS, MATCH_KEYS, f"af_{self._next}")
        method = str(rule.match.get("method", "*")).upper()
        if method not in METHODS:
            raise invalid(f"method must be one of {', '.join(METHODS)}", param="method")
        rule.match["method"] = method
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        self.rules = []

    def match(self, method: str, path: str) -> Rule | None:
        """The first rule that matches this call and fires."""
        for rule in self.rules:
            wanted = rule.match["method"]
            if (
                (wanted == "*" or wanted == method)
                and glob_matches(rule.match.get("path"), path)
                and rule.fires(self._rng)
            ):
                return rule
        return None
