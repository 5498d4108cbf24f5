"""The API fault rules of one emulator, matched per (method, path); first match wins."""

from __future__ import annotations

from paychaos.stripe_emulator.errors import invalid
from paychaos.stripe_emulator.faults.api import API_ACTIONS
from paychaos.stripe_emulator.faults.rules import Rule, RuleSet, glob_matches

METHODS = ("GET", "POST", "DELETE", "*")


class ApiFaults(RuleSet):
    """Ordered rules; ``first`` counts matching calls, ``probability`` draws from a seeded RNG."""

    actions = API_ACTIONS
    match_keys = ("method", "path")
    id_prefix = "af"
    rng_salt = "api"

    def check(self, rule: Rule) -> None:
        method = str(rule.match.get("method", "*")).upper()
        if method not in METHODS:
            raise invalid(f"method must be one of {', '.join(METHODS)}", param="method")
        rule.match["method"] = method

    def match(self, method: str, path: str) -> Rule | None:
        """The first rule that matches this call and fires."""
        return self.first_firing(
            lambda rule: (
                rule.match["method"] in ("*", method) and glob_matches(rule.match.get("path"), path)
            )
        )
