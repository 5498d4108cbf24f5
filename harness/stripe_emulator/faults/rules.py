"""Plain-data fault rules: parsing, validation and seeded firing, shared by both kinds."""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from paychaos.stripe_emulator.errors import invalid

# Keys every rule may carry besides its match fields and its action's parameters.
COMMON_KEYS = ("action", "times", "first", "probability", "id")


class Action:
    """Base of one fault action; subclasses declare ``name`` and ``defaults`` (their params)."""

    name: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}
    # Delivery actions: what the action does to the attempt on purpose (None: an honest
    # delivery), and whether a receiver that checks signatures must refuse what it sends.
    # Attempt records carry both, so no checker keeps a list of action names.
    tampering: ClassVar[str | None] = None
    must_be_refused: ClassVar[bool] = False

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = {**self.defaults, **params}
        self.validate()

    def validate(self) -> None:
        """Raise ``invalid(...)`` when a parameter is out of range."""

    def number(self, key: str, minimum: float = 0) -> float:
        value = self.params[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise invalid(f"{self.name}: {key} must be a number >= {minimum}", param=key)
        return float(value)


@dataclass
class Rule:
    """One parsed rule: what it matches, what it does, how often it may fire."""

    id: str
    spec: dict[str, Any]
    action: Action
    match: dict[str, Any]
    times: int | None = None
    first: int | None = None
    probability: float | None = None
    seen: int = 0
    fired: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The rule as given, plus its id and counters."""
        return {**self.spec, "id": self.id, "seen": self.seen, "fired": self.fired}

    def fires(self, rng: random.Random) -> bool:
        """Count a matching occasion and decide whether the rule acts on it."""
        self.seen += 1
        if self.first is not None and self.seen > self.first:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        if self.probability is not None and rng.random() >= self.probability:
            return False
        self.fired += 1
        return True


class RuleSet:
    """Ordered rules of one kind (API faults, delivery policies): the first that matches and
    fires wins; ``probability`` draws from an RNG seeded per emulator seed and kind."""

    #: The registry of actions, the keys a rule may match on, the prefix of rule ids, and what
    #: salts the seed of the kind's RNG (so each kind draws its own sequence).
    actions: ClassVar[Mapping[str, type[Action]]] = {}
    match_keys: ClassVar[tuple[str, ...]] = ()
    id_prefix: ClassVar[str] = ""
    rng_salt: ClassVar[str] = ""

    def __init__(self, seed: int) -> None:
        self.rules: list[Rule] = []
        self._rng = random.Random(f"{seed}:{self.rng_salt}")
        self._next = 0

    def add(self, spec: dict[str, Any]) -> Rule:
        """Parse, check and append one rule; returns it (with its id)."""
        self._next += 1
        rule = parse_rule(spec, self.actions, self.match_keys, f"{self.id_prefix}_{self._next}")
        self.check(rule)
        self.rules.append(rule)
        return rule

    def check(self, rule: Rule) -> None:
        """Validate or normalise the match fields of a parsed rule (``invalid`` when wrong)."""

    def clear(self) -> None:
        """Remove every rule."""
        self.rules = []

    def first_firing(self, matches: Callable[[Rule], bool]) -> Rule | None:
        """The first rule that ``matches`` and fires."""
        for rule in self.rules:
            if matches(rule) and rule.fires(self._rng):
                return rule
        return None


def glob_matches(pattern: str | None, value: str) -> bool:
    """``None`` and ``*`` match anything; otherwise shell-style (``checkout.session.*``)."""
    return pattern is None or pattern == "*" or fnmatch.fnmatchcase(value, pattern)


def _optional_int(spec: dict[str, Any], key: str) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(f"{key} must be a non-negative integer", param=key)
    return value


def parse_rule(
    spec: Any,
    actions: Mapping[str, type[Action]],
    match_keys: tuple[str, ...],
    rule_id: str,
) -> Rule:
    """Validate a plain-data rule against the registry of ``actions`` and build it."""
    if not isinstance(spec, dict):
        raise invalid("a fault rule is a JSON object")
    name = spec.get("action")
    action_cls = actions.get(name) if isinstance(name, str) else None
    if action_cls is None:
        raise invalid(
            f"unknown fault action {name!r}: use one of {', '.join(sorted(actions))}",
            param="action",
        )
    allowed = set(COMMON_KEYS) | set(match_keys) | set(action_cls.defaults)
    for key in spec:
        if key not in allowed:
            raise invalid(
                f"{name}: unknown rule key {key!r} (allowed: {', '.join(sorted(allowed))})",
                param=key,
            )
    probability = spec.get("probability")
    if probability is not None and (
        isinstance(probability, bool)
        or not isinstance(probability, (int, float))
        or not 0 <= probability <= 1
    ):
        raise invalid("probability must be between 0 and 1", param="probability")
    action = action_cls({k: v for k, v in spec.items() if k in action_cls.defaults})
    return Rule(
        id=str(spec.get("id") or rule_id),
        spec={k: v for k, v in spec.items() if k != "id"},
        action=action,
        match={k: spec[k] for k in match_keys if spec.get(k) is not None},
        times=_optional_int(spec, "times"),
        first=_optional_int(spec, "first"),
        probability=None if probability is None else float(probability),
    )
