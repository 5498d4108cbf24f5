"""Stripe list objects and their cursor pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from paychaos.stripe_emulator.errors import invalid, missing


def paginate(items: list[dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
    """A Stripe list object over ``items`` (already newest first).

    ``starting_after`` pages towards older objects, ``ending_before`` towards
    newer ones; ``has_more`` says whether the walk in that direction continues.
    """
    limit = params.get("limit") or 10
    after = params.get("starting_after")
    before = params.get("ending_before")
    if after and before:
        raise invalid(
            "You may only specify one of these parameters: starting_after, ending_before.",
            param="starting_after",
        )
    if after or before:
        cursor = after or before
        index = next((i for i, o in enumerate(items) if o["id"] == cursor), None)
        if index is None:
            raise missing(
                "object", str(cursor), param="starting_after" if after else "ending_before"
            )
        if after:
            window = items[index + 1 : index + 1 + limit]
            has_more = index + 1 + limit < len(items)
        else:
            start = max(0, index - limit)
            window = items[start:index]
            has_more = start > 0
    else:
        window = items[:limit]
        has_more = len(items) > limit
    return {"object": "list", "data": window, "has_more": has_more, "url": url}


def list_of(
    objects: Iterable[dict[str, Any]],
    params: dict[str, Any],
    url: str,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """Filter then paginate: the body of every ``GET /v1/<things>`` handler."""
    items = [o for o in objects if keep(o)] if keep else list(objects)
    return paginate(items, params, url)


def lister(kind: str, url: str, *equal: str) -> Callable[[Any], dict[str, Any]]:
    """A ``GET /v1/<things>`` handler over stored ``kind`` objects, newest first, keeping those
    whose fields named in ``equal`` match the request's params of the same names."""

    def list_objects(call: Any) -> dict[str, Any]:
        wanted = {name: call.params[name] for name in equal if call.params.get(name)}
        return list_of(
            call.state.store.newest_first(kind),
            call.params,
            url,
            keep=(lambda o: all(o.get(k) == v for k, v in wanted.items())) if wanted else None,
        )

    return list_objects
