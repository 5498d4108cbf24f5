"""Parameter specs: each endpoint declares what it accepts; anything else is a 400 naming it.

A spec converts the decoded form strings into typed values (ints, bools, lists)
on the way, so handlers see clean data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paychaos.stripe_emulator.errors import invalid


class Spec:
    """Base of all parameter specs."""

    required: bool = False

    def check(self, value: Any, name: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _scalar(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid(f"Invalid value for {name}: expected a string, got an object.", param=name)
    return value


@dataclass(frozen=True)
class Str(Spec):
    """A string of at most ``max_length`` characters."""

    required: bool = False
    max_length: int = 5000

    def check(self, value: Any, name: str) -> Any:
        text = _scalar(value, name)
        if len(text) > self.max_length:
            raise invalid(
                f"Invalid {name}: must be at most {self.max_length} characters",
                param=name,
                code="string_length_exceeds_maximum",
            )
        return text


@dataclass(frozen=True)
class Int(Spec):
    """An integer, optionally bounded."""

    required: bool = False
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, name: str) -> Any:
        text = _scalar(value, name)
        if text == "":
            return None
        try:
            if len(text) > 20:
                raise ValueError
            number = int(text)
        except ValueError:
            raise invalid(
                f"Invalid integer: {text[:100]}", param=name, code="parameter_invalid_integer"
            ) from None
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise invalid(
                f"Invalid {name}: must be between {self.minimum} and {self.maximum}",
                param=name,
            )
        return number


# Stripe's v1 API takes both spellings: stripe-python 11 sends ``True``/``False`` for
# every boolean, 12 and later still do inside lists (``a[0]=True``); the CLI sends ``true``.
BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


@dataclass(frozen=True)
class Bool(Spec):
    """``true``/``false``, or ``True``/``False`` as older stripe-python sends them."""

    required: bool = False

    def check(self, value: Any, name: str) -> Any:
        text = _scalar(value, name)
        flag = BOOLEANS.get(text)
        if flag is None:
            raise invalid(
                f"Invalid boolean: {text[:100]}", param=name, code="parameter_invalid_boolean"
            )
        return flag


@dataclass(frozen=True)
class Enum(Spec):
    """One of a fixed set of strings."""

    values: tuple[str, ...] = ()
    required: bool = False

    def check(self, value: Any, name: str) -> Any:
        text = _scalar(value, name)
        if text not in self.values:
            raise invalid(f"Invalid {name}: must be one of {', '.join(self.values)}", param=name)
        return text


@dataclass(frozen=True)
class Metadata(Spec):
    """Stripe metadata: up to 50 string keys (<= 40 chars) with string values (<= 500)."""

    required: bool = False

    def check(self, value: Any, name: str) -> Any:
        if value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid(f"Invalid {name}: must be a hash", param=name)
        if len(value) > 50:
            raise invalid(f"Invalid {name}: at most 50 keys", param=name)
        out = {}
        for key, item in value.items():
            if len(key) > 40:
                raise invalid(f"Invalid {name}[{key[:40]}]: key too long", param=f"{name}[{key}]")
            text = _scalar(item, f"{name}[{key}]")
            if len(text) > 500:
                raise invalid(
                    f"Invalid {name}[{key}]: value too long (at most 500)", param=f"{name}[{key}]"
                )
            out[key] = text
        return out


@dataclass(frozen=True)
class Obj(Spec):
    """A hash whose keys are declared; unknown keys are rejected by name."""

    fields: dict[str, Spec] = field(default_factory=dict)
    required: bool = False

    def check(self, value: Any, name: str) -> Any:
        if value == "":
            return None
        if not isinstance(value, dict):
            raise invalid(f"Invalid {name}: must be a hash", param=name)
        return check_fields(self.fields, value, prefix=name)


@dataclass(frozen=True)
class ListOf(Spec):
    """An array, sent as ``name[0]=..`` (what stripe-python sends) or ``name[]=..``."""

    item: Spec = field(default_factory=Str)
    required: bool = False
    max_items: int = 100

    def check(self, value: Any, name: str) -> Any:
        if value == "":
            return []
        if isinstance(value, dict):
            try:
                indexed = sorted((int(k), k) for k in value)
            except ValueError:
                raise invalid(f"Invalid array: {name}", param=name) from None
            if [i for i, _ in indexed] != list(range(len(indexed))):
                raise invalid(f"Invalid array: {name} (indexes must be 0..n-1)", param=name)
            items = [value[k] for _, k in indexed]
        elif isinstance(value, list):
            items = value
        else:
            raise invalid(f"Invalid array: {name}", param=name)
        if len(items) > self.max_items:
            raise invalid(f"Invalid {name}: at most {self.max_items} items", param=name)
        return [self.item.check(item, f"{name}[{i}]") for i, item in enumerate(items)]


EXPAND = ListOf(Str(max_length=500), max_items=20)


def check_fields(fields: dict[str, Spec], params: dict[str, Any], prefix: str = "") -> dict:
    """Validate and convert ``params`` against ``fields``; raises a 400 naming the param."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        spec = fields.get(key)
        if spec is None:
            raise invalid(
                f"Received unknown parameter: {name}", param=name, code="parameter_unknown"
            )
        out[key] = spec.check(value, name)
    for key, spec in fields.items():
        if spec.required and out.get(key) in (None, "", [], {}):
            name = f"{prefix}[{key}]" if prefix else key
            raise invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")
    return out


LIST_PARAMS: dict[str, Spec] = {
    "limit": Int(minimum=1, maximum=100),
    "starting_after": Str(max_length=255),
    "ending_before": Str(max_length=255),
    "expand": EXPAND,
}
