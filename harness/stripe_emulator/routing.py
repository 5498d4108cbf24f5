"""Routes: (method, path template, handler, accepted params), matched by path segments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paychaos.stripe_emulator.params import EXPAND, Spec

if TYPE_CHECKING:
    from paychaos.stripe_emulator.state import EmulatorState


@dataclass
class Call:
    """One API request as a handler sees it: validated params and path arguments."""

    state: EmulatorState
    params: dict[str, Any]
    args: dict[str, str]
    path: str
    # Goes into ``event.request``: what caused an event (None fields when Stripe acted alone).
    request: dict[str, Any] = field(default_factory=lambda: {"id": None, "idempotency_key": None})
    # The API version the answer is rendered in ("" = the account's version).
    version: str = ""

    @property
    def expand(self) -> list[str]:
        """The ``expand[]`` paths of this request."""
        return self.params.get("expand") or []


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True, eq=False)
class Route:
    """One endpoint: ``Route("GET", "/v1/customers/{id}", retrieve, {...})``.

    ``params`` lists what the endpoint accepts besides ``expand`` (always accepted).
    """

    method: str
    path: str
    # ``Handler`` for the Stripe API; the control API's handlers take (state, args, body, query).
    handler: Callable[..., Any]
    params: dict[str, Spec] = field(default_factory=dict)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))

    @property
    def accepted(self) -> dict[str, Spec]:
        return {**self.params, "expand": EXPAND}


class Router:
    """Finds the route for a method and path; exact paths by dict, templated ones by segments."""

    def __init__(self, routes: list[Route]) -> None:
        self._exact: dict[tuple[str, str], Route] = {}
        self._templated: dict[tuple[str, int], list[Route]] = {}
        self._accepted: dict[Route, dict[str, Spec]] = {}
        for route in routes:
            self._accepted[route] = route.accepted
            if "{" in route.path:
                key = (route.method, len(route.segments))
                self._templated.setdefault(key, []).append(route)
            else:
                self._exact[(route.method, route.path)] = route
        self.routes = list(routes)

    def accepted(self, route: Route) -> dict[str, Spec]:
        """The parameter specs of ``route`` (cached)."""
        return self._accepted[route]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route and path arguments for ``method path``, or None."""
        route = self._exact.get((method, path))
        if route is not None:
            return route, {}
        segments = path.strip("/").split("/")
        for candidate in self._templated.get((method, len(segments)), ()):
            args: dict[str, str] = {}
            for want, got in zip(candidate.segments, segments, strict=True):
                if want.startswith("{"):
                    if not got:
                        break
                    args[want[1:-1]] = got
                elif want != got:
                    break
            else:
                return candidate, args
        return None
