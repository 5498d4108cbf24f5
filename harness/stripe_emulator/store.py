"""In-memory objects by id, kept in creation order per kind for lists."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.errors import missing

# How Stripe names a kind in "No such ..." messages.
_LABELS = {
    "checkout.session": "checkout session",
    "payment_intent": "payment_intent",
    "webhook_endpoint": "webhook endpoint",
}


class Store:
    """Every emulated object by id, plus the side data that is not part of any object."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self._by_kind: dict[str, dict[str, None]] = {}
        # Checkout line items are not a field of the session (only expandable).
        self.line_items: dict[str, list[dict[str, Any]]] = {}
        # Creation options a Checkout Session keeps for payment time (subscription_data, ...).
        self.session_options: dict[str, dict[str, Any]] = {}
        # Which payment intent pays an invoice (a field of the invoice before 2025-03-31).
        self.invoice_payments: dict[str, str] = {}
        # Proration lines a subscription change left for its next invoice, by subscription id.
        self.pending_lines: dict[str, list[dict[str, Any]]] = {}
        # Webhook secrets are shown once, on create.
        self.secrets: dict[str, str] = {}

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store ``obj`` (it must carry ``id`` and ``object``)."""
        self.objects[obj["id"]] = obj
        self._by_kind.setdefault(obj["object"], {})[obj["id"]] = None
        return obj

    def get(self, kind: str, object_id: str, param: str = "id") -> dict[str, Any]:
        """The object of ``kind`` with ``object_id``, or a 404 ``resource_missing``."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise missing(_LABELS.get(kind, kind), object_id, param=param)
        return obj

    def find(self, object_id: str) -> dict[str, Any] | None:
        """Any object by id, or None."""
        return self.objects.get(object_id)

    def remove(self, kind: str, object_id: str) -> None:
        """Forget an object (deleted through the API)."""
        self.objects.pop(object_id, None)
        self._by_kind.get(kind, {}).pop(object_id, None)

    def newest_first(self, kind: str) -> list[dict[str, Any]]:
        """All objects of ``kind``, most recently created first (Stripe's list order)."""
        objects = self.objects
        return [objects[i] for i in reversed(self._by_kind.get(kind, {}))]

    def oldest_first(self, kind: str) -> list[dict[str, Any]]:
        """All objects of ``kind`` in creation order."""
        objects = self.objects
        return [objects[i] for i in self._by_kind.get(kind, {})]
