"""Customer portal sessions: a ``url`` the app redirects its customer to."""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.params import Str
from paychaos.stripe_emulator.routing import Call, Route

# The configuration every session uses when the app names none (Stripe's default one).
DEFAULT_CONFIGURATION = "bpc_paychaos_default"


def create(call: Call) -> dict[str, Any]:
    state, p = call.state, call.params
    customer = state.store.get("customer", p["customer"], param="customer")
    session_id = state.new_id("bps_")
    session = state.store.add(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "after_expiration": None,
            "configuration": p.get("configuration") or DEFAULT_CONFIGURATION,
            "created": state.now(),
            "customer": customer["id"],
            "customer_account": None,
            "flow": None,
            "livemode": False,
            "locale": p.get("locale"),
            "on_behalf_of": None,
            "return_url": p.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{session_id[4:]}",
        }
    )
    state.emit("billing_portal.session.created", session, request=call.request)
    return session


ROUTES = [
    Route(
        "POST",
        "/v1/billing_portal/sessions",
        create,
        {
            "customer": Str(required=True),
            "return_url": Str(max_length=5000),
            "configuration": Str(),
            "locale": Str(),
        },
    ),
]
