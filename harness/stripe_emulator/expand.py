"""``expand[]``: replace an id with its object, along dotted paths (``data.subscription``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from paychaos.stripe_emulator.errors import invalid

MAX_EXPAND_DEPTH = 4

# Fields that exist only when expanded, by object kind: (state, object) -> value.
VirtualFields = dict[tuple[str, str], Callable[[dict[str, Any]], Any]]


def expand(
    obj: dict[str, Any],
    paths: list[str],
    resolve: Callable[[str], dict[str, Any] | None],
    virtual: Callable[[dict[str, Any], str], Any],
) -> dict[str, Any]:
    """Return ``obj`` with every path in ``paths`` expanded; ``obj`` itself is not changed.

    ``resolve`` finds an object by id; ``virtual(obj, field)`` supplies fields
    that appear only when expanded (``line_items``), or raises KeyError.
    """
    for path in paths:
        parts = path.split(".")
        if len(parts) > MAX_EXPAND_DEPTH:
            raise invalid(
                f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property. "
                f"Property: {path}",
                param="expand",
            )
        obj = _expand(obj, parts, path, resolve, virtual)
    return obj


def _expand(value: Any, parts: list[str], path: str, resolve, virtual) -> Any:
    if not parts or value is None:
        return value
    if not isinstance(value, dict):
        raise invalid(f"This property cannot be expanded ({path}).", param="expand")
    head, rest = parts[0], parts[1:]
    if value.get("object") == "list" and head == "data":
        return {
            **value,
            "data": [_expand(item, rest, path, resolve, virtual) for item in value["data"]],
        }
    if head in value:
        child = value[head]
    else:
        try:
            child = virtual(value, head)
        except KeyError:
            raise invalid(f"This property cannot be expanded ({head}).", param="expand") from None
    if isinstance(child, list):
        # An array expands element by element (an array of ids, like an invoice's
        # ``discounts``, or of objects holding ids); an empty one is left as it is.
        copy = dict(value)
        copy[head] = [_expand_element(item, head, rest, path, resolve, virtual) for item in child]
        return copy
    if isinstance(child, str):
        target = resolve(child)
        if target is None:
            raise invalid(f"This property cannot be expanded ({head}).", param="expand")
        child = target
    elif child is not None and not isinstance(child, dict):
        raise invalid(f"This property cannot be expanded ({head}).", param="expand")
    copy = dict(value)
    copy[head] = _expand(child, rest, path, resolve, virtual)
    return copy


def _expand_element(item: Any, head: str, rest: list[str], path: str, resolve, virtual) -> Any:
    """One element of an expanded array: an id becomes its object, an object is walked on."""
    if isinstance(item, str):
        target = resolve(item)
        if target is None:
            raise invalid(f"This property cannot be expanded ({head}).", param="expand")
        item = target
    if isinstance(item, dict):
        return _expand(item, rest, path, resolve, virtual)
    raise invalid(f"This property cannot be expanded ({head}).", param="expand")
