"""Small helpers shared by the resource modules."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any


def nulls(*names: str) -> dict[str, None]:
    """Fields the emulator has no value for, which Stripe sends as ``null``."""
    return dict.fromkeys(names)


def merge_metadata(current: dict[str, str], update: dict[str, str] | None) -> dict[str, str]:
    """Stripe's metadata update: keys merge, an empty value deletes a key, ``""`` clears all."""
    if update is None:
        return current
    if update == {}:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def apply_changes(obj: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Set ``changes`` on ``obj``; returns ``previous_attributes`` of what really changed."""
    previous: dict[str, Any] = {}
    for key, value in changes.items():
        if obj.get(key) != value:
            previous[key] = obj.get(key)
            obj[key] = value
    return previous


def add_interval(start: int, interval: str, count: int = 1) -> int:
    """``start`` plus ``count`` billing intervals (calendar months and years, as Stripe bills)."""
    if interval == "day":
        return start + 86400 * count
    if interval == "week":
        return start + 7 * 86400 * count
    moment = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    months = count * (12 if interval == "year" else 1)
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    if year > 9999:  # past what dates can hold (the clock stops there too)
        from paychaos.stripe_emulator.clock import LATEST_TIME

        return LATEST_TIME + 1
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def deleted(obj: dict[str, Any]) -> dict[str, Any]:
    """The body Stripe answers a DELETE with."""
    return {"id": obj["id"], "object": obj["object"], "deleted": True}
