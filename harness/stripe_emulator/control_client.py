"""``EmulatorControl``: the Python client of the ``/_paychaos`` control API."""

from __future__ import annotations

import threading
from typing import Any

import requests

from paychaos.errors import ServiceError


class EmulatorControlError(ServiceError):
    """The control API refused a request (bad id, wrong state, bad argument)."""

    def __init__(self, what: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(what, hint=hint)
        self.status = status


class EmulatorControl:
    """Drive a running emulator: pay sessions, move time, deliver and inspect webhooks.

    Works against an embedded emulator (``emu.control``) or a standalone one by URL.

    ``token`` is the emulator's control token (what ``paychaos emulator`` prints as
    ``PAYCHAOS_EMULATOR_CONTROL_TOKEN``); an emulator started without one takes the API key.

    >>> ctl = EmulatorControl("http://127.0.0.1:12111", api_key, token=control_token)
    >>> ctl.complete_session("cs_test_...", outcome="paid")  # doctest: +SKIP
    """

    def __init__(
        self, url: str, api_key: str, timeout: float = 60.0, token: str | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.token = token or api_key
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {self.token}"
            self._local.session = session
        return session

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, **query: Any
    ) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        try:
            response = self._session().request(
                method,
                f"{self.url}/_paychaos{path}",
                json=body if body is not None else None,
                params=params or None,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ServiceError(
                f"cannot reach the Stripe emulator at {self.url}: {exc}",
                hint="is it running? start one with `paychaos emulator`",
            ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code >= 400:
            message = (payload.get("error") or {}).get("message") or response.text[:200]
            raise EmulatorControlError(
                f"emulator control {method} {path} failed ({response.status_code}): {message}",
                status=response.status_code,
            )
        return payload

    # -- the customer -------------------------------------------------------------------------

    def complete_session(self, session_id: str, outcome: str = "paid") -> dict[str, Any]:
        """Submit the Checkout page: ``paid``, ``delayed`` (complete but unpaid until
        :meth:`async_payment`) or ``declined`` (stays open, nothing emitted). Returns the session."""
        return self._call("POST", f"/checkout/sessions/{session_id}/complete", {"outcome": outcome})

    def async_payment(self, session_id: str, succeeded: bool) -> dict[str, Any]:
        """Settle the delayed payment of a session completed with ``outcome="delayed"``."""
        return self._call(
            "POST", f"/checkout/sessions/{session_id}/async_payment", {"succeeded": succeeded}
        )

    def expire_session(self, session_id: str) -> dict[str, Any]:
        """Expire an open session (emits ``checkout.session.expired``)."""
        return self._call("POST", f"/checkout/sessions/{session_id}/expire", {})

    def cancel_subscription(
        self, subscription_id: str, reason: str = "cancellation_requested"
    ) -> dict[str, Any]:
        """Cancel as Stripe would on its own (emits ``customer.subscription.deleted``)."""
        return self._call("POST", f"/subscriptions/{subscription_id}/cancel", {"reason": reason})

    # -- time ---------------------------------------------------------------------------------

    def advance_clock(self, seconds: int) -> int:
        """Move emulator time forward; expiries and due retries happen. Returns the new time."""
        return int(self._call("POST", "/clock/advance", {"seconds": int(seconds)})["now"])

    def now(self) -> int:
        """Emulator time in unix seconds."""
        return int(self._call("GET", "/clock")["now"])

    # -- events and webhooks ------------------------------------------------------------------

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """Every event so far, oldest first (optionally of one ``type``)."""
        return list(self._call("GET", "/events", type=type)["data"])

    def deliveries(self, event_id: str | None = None) -> list[dict[str, Any]]:
        """Every webhook attempt so far, in the order made (optionally for one event)."""
        return list(self._call("GET", "/deliveries", event_id=event_id)["data"])

    def outbox(self) -> list[dict[str, Any]]:
        """Delivery state per (event, endpoint): pending, in_flight, delivered or gave_up."""
        return list(self._call("GET", "/outbox")["data"])

    def deliver_due(self) -> list[dict[str, Any]]:
        """Attempt every delivery due now; returns the attempts made."""
        return list(self._call("POST", "/deliveries/deliver_due", {})["data"])

    def drain(
        self, max_seconds: int | None = None, advance_clock: bool = True
    ) -> list[dict[str, Any]]:
        """Deliver everything due and, with ``advance_clock``, move the clock through the retry
        schedule (at most ``max_seconds``) until each delivery succeeded or gave up."""
        body = {"max_seconds": max_seconds, "advance_clock": advance_clock}
        return list(self._call("POST", "/deliveries/drain", body)["data"])

    def set_delivery_mode(self, mode: str) -> str:
        """``auto`` (deliver as soon as an event exists) or ``manual`` (only on deliver_due/drain)."""
        return str(self._call("POST", "/delivery_mode", {"mode": mode})["mode"])

    # -- lifecycle ----------------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> dict[str, Any]:
        """Forget every object, event and delivery; clock back to its epoch; optional new seed."""
        return dict(self._call("POST", "/reset", {"seed": seed}))

    def health(self) -> dict[str, Any]:
        """``{"ok": true, "seed": ..., "now": ..., "delivery": ...}``."""
        return dict(self._call("GET", "/health"))

    # -- faults -------------------------------------------------------------------------------

    def add_delivery_policy(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Append one webhook delivery rule (plain data; first matching rule wins).

        >>> ctl.add_delivery_policy({"action": "drop", "event_type": "invoice.paid", "times": 1})  # doctest: +SKIP
        """
        return dict(self._call("POST", "/delivery_policies", spec)["added"][0])

    def set_delivery_policy(
        self, rules: dict[str, Any] | list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Replace every delivery rule by ``rules`` (one rule or a list); returns them with ids."""
        specs = [rules] if isinstance(rules, dict) else list(rules)
        return list(
            self._call("POST", "/delivery_policies", {"rules": specs, "replace": True})["data"]
        )

    def delivery_policies(self) -> list[dict[str, Any]]:
        """The delivery rules in force, with how often each matched (``seen``) and acted (``fired``)."""
        return list(self._call("GET", "/delivery_policies")["data"])

    def add_api_fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Append one API fault rule (plain data; first matching rule wins).

        >>> ctl.add_api_fault({"action": "error", "status": 500, "method": "GET",
        ...                    "path": "/v1/checkout/sessions/*", "first": 1})  # doctest: +SKIP
        """
        return dict(self._call("POST", "/api_faults", spec)["added"][0])

    def set_api_faults(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace every API fault rule by ``rules``; returns them with ids."""
        return list(
            self._call("POST", "/api_faults", {"rules": list(rules), "replace": True})["data"]
        )

    def api_faults(self) -> list[dict[str, Any]]:
        """The API fault rules in force, with their ``seen`` / ``fired`` counters."""
        return list(self._call("GET", "/api_faults")["data"])

    def clear_faults(self, kind: str | None = None) -> None:
        """Remove API faults and delivery policies (or only ``kind``: ``"api"`` / ``"delivery"``)."""
        self._call("POST", "/faults/clear", {"kind": kind})

    def replay_delivery(
        self, event_id: str, endpoint_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Send the last captured delivery of ``event_id`` again, byte for byte (same signature)."""
        body = {"event_id": event_id, "endpoint_id": endpoint_id}
        return list(self._call("POST", "/deliveries/replay", body)["data"])

    def release_held(self) -> int:
        """Let every delivery held back by a ``hold`` (reorder) rule go; returns how many."""
        return int(self._call("POST", "/deliveries/release_held", {})["released"])

    # -- shadow validation ----------------------------------------------------------------------

    def shadow(self, wait: float = 10.0) -> dict[str, Any]:
        """Where stripe-mock and the emulator disagreed (``enabled`` False when not shadowing);
        waits up to ``wait`` seconds for the checks still queued."""
        return dict(self._call("GET", "/shadow", wait=wait))

    def clear_shadow(self) -> None:
        """Forget the shadow report so far."""
        self._call("POST", "/shadow/clear", {})
