"""The account behind the API key: ``GET /v1/account`` (retrieve your own account).

Stripe answers it for a secret key with the platform's own account, a ``standard`` account
that can take charges and receive payouts. Libraries ask for it to know whose objects they
sync (dj-stripe records it as every object's owner account). The emulator has one account
per state, made on the first request; nothing about it changes.
"""

from __future__ import annotations

from typing import Any

from paychaos.stripe_emulator.routing import Call, Route


def retrieve_own(call: Call) -> dict[str, Any]:
    state = call.state
    existing = state.store.oldest_first("account")
    if existing:
        return existing[0]
    return state.store.add(
        {
            "id": state.new_id("acct_"),
            "object": "account",
            "business_profile": {
                "mcc": None,
                "name": "paychaos emulator",
                "product_description": None,
                "support_address": None,
                "support_email": None,
                "support_phone": None,
                "support_url": None,
                "url": None,
            },
            "business_type": None,
            "capabilities": {"card_payments": "active", "transfers": "active"},
            "charges_enabled": True,
            "controller": {"type": "account"},
            "country": "US",
            "created": state.now(),
            "default_currency": "usd",
            "details_submitted": True,
            "email": None,
            "external_accounts": {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": "/v1/accounts/external_accounts",
            },
            "future_requirements": None,
            "livemode": False,
            "metadata": {},
            "payouts_enabled": True,
            "requirements": None,
            "settings": {
                "branding": {
                    "icon": None,
                    "logo": None,
                    "primary_color": None,
                    "secondary_color": None,
                },
                "dashboard": {"display_name": "paychaos emulator", "timezone": "Etc/UTC"},
            },
            "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
            "type": "standard",
        }
    )


ROUTES = [Route("GET", "/v1/account", retrieve_own)]
