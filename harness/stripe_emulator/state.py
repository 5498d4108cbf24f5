"""Everything one emulator knows: objects, clock, ids, the webhook outbox."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.clock import EmulatorClock
from paychaos.stripe_emulator.config import EmulatorConfig
from paychaos.stripe_emulator.ids import IdFactory
from paychaos.stripe_emulator.jsonenc import copy
from paychaos.stripe_emulator.shadow import ShadowValidator
from paychaos.stripe_emulator.store import Store
from paychaos.stripe_emulator.versions import NEWEST_VERSION
from paychaos.stripe_emulator.webhooks.delivery import Deliverer

# The account's API version when the emulator is not told otherwise.
API_VERSION = NEWEST_VERSION

NO_REQUEST: dict[str, Any] = {"id": None, "idempotency_key": None}


def snapshot(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``obj`` as it is now (events carry snapshots, not live objects)."""
    return copy(obj)


class EmulatorState:
    """The mutable world of one emulator; touched only from its event loop thread."""

    def __init__(self, config: EmulatorConfig, base_url: str = "") -> None:
        self.config = config
        self.base_url = base_url
        self.clock = EmulatorClock(config.epoch)
        self.delivery_mode = config.delivery
        self.seed = config.seed
        self.deliverer = Deliverer(self)
        self.ids = IdFactory(self.seed)
        self.store = Store()
        self._setup_extensions()
        # Outlives resets: what it collected is reported after the whole run.
        self.shadow = ShadowValidator(config.shadow_url) if config.shadow_url else None

    def _setup_extensions(self) -> None:
        """State beside the objects that a reset also clears: faults and idempotency keys."""
        from paychaos.stripe_emulator.faults.api.faults import ApiFaults
        from paychaos.stripe_emulator.faults.delivery.policies import DeliveryPolicies
        from paychaos.stripe_emulator.idempotency import IdempotencyStore

        self.delivery_policies = DeliveryPolicies(self.seed)
        self.api_faults = ApiFaults(self.seed)
        self.idempotency = IdempotencyStore()

    def reset(self, seed: int | None = None) -> None:
        """Back to an empty world: no objects, clock at its epoch, outbox empty."""
        if seed is not None:
            self.seed = int(seed)
        self.deliverer.reset()
        self.ids = IdFactory(self.seed)
        self.store = Store()
        self.clock.reset()
        self._setup_extensions()

    def now(self) -> int:
        """Emulator time in unix seconds."""
        return self.clock.now()

    def new_id(self, prefix: str) -> str:
        """A seeded id such as ``cus_...``."""
        return self.ids.new(prefix)

    # -- events ---------------------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        previous_attributes: dict[str, Any] | None = None,
        request: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event about ``obj`` and queue it for every endpoint that wants it."""
        endpoints = [
            ep["id"]
            for ep in self.store.oldest_first("webhook_endpoint")
            if ep["status"] == "enabled" and _wants(ep["enabled_events"], event_type)
        ]
        data: dict[str, Any] = {"object": snapshot(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = snapshot(previous_attributes)
        event = self._new_event(event_type, data, endpoints, request)
        # Stripe sometimes sends two distinct events for one change (``twin`` policy).
        for _ in range(self.delivery_policies.twins_for(event)):
            self._new_event(event_type, snapshot(data), endpoints, request)
        return event

    def _new_event(
        self,
        event_type: str,
        data: dict[str, Any],
        endpoints: list[str],
        request: dict[str, Any] | None,
    ) -> dict[str, Any]:
        event = {
            "id": self.new_id("evt_"),
            "object": "event",
            "api_version": self.config.api_version,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": len(endpoints),
            "request": dict(request) if request else dict(NO_REQUEST),
            "type": event_type,
        }
        self.store.add(event)
        self.deliverer.enqueue(event, endpoints)
        return event

    # -- time -----------------------------------------------------------------------------

    def advance_clock(self, seconds: int) -> int:
        """Move emulator time forward and let what was waiting for it happen."""
        self.clock.advance(seconds)
        self.on_time_passed()
        return self.now()

    def advance_clock_to(self, when: int) -> int:
        """Move emulator time forward to ``when`` (no-op if already past)."""
        self.clock.advance_to(when)
        self.on_time_passed()
        return self.now()

    def on_time_passed(self) -> None:
        """Sessions past ``expires_at`` expire, subscription periods that ended renew (or end),
        retries that came due go out (auto mode)."""
        from paychaos.stripe_emulator.flows import expire_due_sessions, renew_due_subscriptions

        expire_due_sessions(self)
        renew_due_subscriptions(self)
        self.deliverer.kick()

    # -- expansion ------------------------------------------------------------------------

    def resolve(self, object_id: str) -> dict[str, Any] | None:
        """Any object by id, for ``expand[]``."""
        return self.store.find(object_id)

    def virtual_field(self, obj: dict[str, Any], name: str) -> Any:
        """Fields that exist only when expanded (Stripe's includable fields); KeyError for
        anything else."""
        kind = obj.get("object")
        if kind == "checkout.session" and name == "line_items":
            items = self.store.line_items.get(obj["id"], [])
            return _list_of(items, f"/v1/checkout/sessions/{obj['id']}/line_items")
        if kind in ("price", "plan") and name == "tiers":
            return None  # per-unit prices only: Stripe has tiers for tiered billing alone
        if kind == "price" and name == "currency_options":
            return {
                obj["currency"]: {
                    "custom_unit_amount": None,
                    "tax_behavior": obj.get("tax_behavior") or "unspecified",
                    "unit_amount": obj.get("unit_amount"),
                    "unit_amount_decimal": obj.get("unit_amount_decimal"),
                }
            }
        if kind == "invoice" and name in ("payment_intent", "confirmation_secret"):
            intent_id = self.store.invoice_payments.get(obj["id"])
            if name == "payment_intent":  # a field of the invoice before 2025-03-31
                return intent_id
            intent = self.store.find(intent_id) if intent_id else None
            if intent is None:
                return None
            return {"client_secret": intent["client_secret"], "type": "payment_intent"}
        if kind == "customer" and name in ("sources", "tax_ids"):
            return _list_of([], f"/v1/customers/{obj['id']}/{name}")  # neither is emulated
        if kind == "customer" and name == "subscriptions":
            # Stripe lists the customer's subscriptions that have not ended.
            current = [
                s
                for s in self.store.newest_first("subscription")
                if s.get("customer") == obj["id"] and s.get("status") != "canceled"
            ]
            return _list_of(current, f"/v1/customers/{obj['id']}/subscriptions")
        raise KeyError(name)


def _list_of(data: list[dict[str, Any]], url: str) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def _wants(enabled_events: list[str], event_type: str) -> bool:
    return "*" in enabled_events or event_type in enabled_events
