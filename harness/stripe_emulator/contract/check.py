"""Check rendered objects against the generated contract of one API version.

    problems = contract_for("2020-08-27").check(body, "subscription")

Every contract field must be present (unless Stripe itself leaves it out by
default), of the right JSON type, null only where nullable, nested objects and
list envelopes checked recursively, ids with the object's prefix.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

Spec = dict[str, Any]


@functools.cache
def accepted_versions() -> dict[str, str]:
    """Every API version the emulator accepts -> the contract version it is rendered with."""
    data = json.loads((DATA_DIR / "versions.json").read_text())
    return {version: entry["contract"] for version, entry in data["versions"].items()}


@functools.cache
def contract_versions() -> tuple[str, ...]:
    """The versions that have their own contract document, oldest first."""
    return tuple(sorted(set(accepted_versions().values())))


@functools.cache
def contract_for(version: str) -> Contract:
    """The contract an accepted ``version`` is rendered and checked with."""
    name = accepted_versions()[version]
    return Contract(json.loads((DATA_DIR / f"{name}.json").read_text()))


class Contract:
    """The object shapes of one API version."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.api_version: str = document["api_version"]
        self.source: str = document["source"]
        self.types: dict[str, dict[str, Any]] = document["types"]
        self.objects: list[str] = document["objects"]
        self.id_prefixes: dict[str, str] = document["id_prefixes"]

    def fields(self, kind: str) -> dict[str, Spec]:
        """The field specs of an object or nested type."""
        return self.types[kind]["fields"]  # type: ignore[no-any-return]

    def check(self, value: Any, kind: str) -> list[str]:
        """Problems of ``value`` as an object of ``kind`` (empty when it conforms)."""
        problems: list[str] = []
        self._object(value, kind, kind, problems)
        return problems

    def check_event(self, event: dict[str, Any]) -> list[str]:
        """Problems of an event: the envelope, ``data.object`` and ``data.previous_attributes``."""
        problems = self.check(event, "event")
        data = event.get("data") or {}
        obj = data.get("object")
        kind = obj.get("object") if isinstance(obj, dict) else None
        if kind not in self.types:
            return [*problems, f"event.data.object: unknown object {kind!r}"]
        problems += self.check(obj, kind)
        previous = data.get("previous_attributes")
        if previous is not None:
            fields = self.fields(kind)
            for name, old in previous.items():
                where = f"event.data.previous_attributes.{name}"
                if name not in fields:
                    problems.append(f"{where}: not a field of {kind}")
                else:
                    self._value(old, fields[name], where, problems)
        return problems

    # -- walking --------------------------------------------------------------------------

    def _object(self, value: Any, kind: str, where: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a {kind} object, got {_json_type(value)}")
            return
        for name, spec in self.fields(kind).items():
            path = f"{where}.{name}"
            if name not in value:
                if not spec.get("optional"):
                    problems.append(f"{path}: missing")
                continue
            self._value(value[name], spec, path, problems)
        prefix = self.id_prefixes.get(kind)
        object_id = value.get("id")
        if prefix and isinstance(object_id, str) and not object_id.startswith(prefix):
            problems.append(f"{where}.id: {object_id!r} does not start with {prefix!r}")

    def _value(self, value: Any, spec: Spec, where: str, problems: list[str]) -> None:
        if value is None:
            if not spec.get("null"):
                problems.append(f"{where}: null but not nullable")
            return
        kind = spec["t"]
        if kind == "object":
            self._object(value, spec["ref"], where, problems)
        elif kind == "expandable":
            self._expandable(value, spec["refs"], where, problems)
        elif kind == "array":
            if not isinstance(value, list):
                problems.append(f"{where}: expected an array, got {_json_type(value)}")
                return
            for index, item in enumerate(value):
                self._value(item, spec["of"], f"{where}[{index}]", problems)
        elif kind == "list":
            self._list(value, spec["of"], where, problems)
        elif kind == "union":
            if all(self._attempt(value, option, where) for option in spec["any_of"]):
                problems.append(f"{where}: matches none of its declared types")
        elif not _scalar_ok(value, kind):
            problems.append(f"{where}: expected {kind}, got {_json_type(value)}")
        elif "enum" in spec and value not in spec["enum"]:
            problems.append(f"{where}: {value!r} is not one of {spec['enum']}")

    def _attempt(self, value: Any, spec: Spec, where: str) -> list[str]:
        found: list[str] = []
        self._value(value, spec, where, found)
        return found

    def _expandable(self, value: Any, refs: list[str], where: str, problems: list[str]) -> None:
        if isinstance(value, str):
            prefixes = [self.id_prefixes[r] for r in refs if r in self.id_prefixes]
            if len(prefixes) == len(refs) and not value.startswith(tuple(prefixes)):
                problems.append(f"{where}: id {value!r} does not start with {prefixes}")
            return
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an id or an object, got {_json_type(value)}")
            return
        kind = value.get("object")
        if kind in refs and kind in self.types:
            self._object(value, kind, where, problems)
        elif kind not in refs and all(r in self.types for r in refs):
            problems.append(f"{where}: expanded to {kind!r}, expected one of {refs}")

    def _list(self, value: Any, item: Spec, where: str, problems: list[str]) -> None:
        if not isinstance(value, dict) or value.get("object") != "list":
            problems.append(f"{where}: expected a list object, got {_json_type(value)}")
            return
        for name, expected in (("data", list), ("has_more", bool), ("url", str)):
            if not isinstance(value.get(name), expected):
                problems.append(f"{where}.{name}: missing or not {expected.__name__}")
        for index, entry in enumerate(value.get("data") or []):
            self._value(entry, item, f"{where}.data[{index}]", problems)


def _scalar_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "decimal":  # decimals travel as strings
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("map", "external"):
        return isinstance(value, dict)
    return kind == "any"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
