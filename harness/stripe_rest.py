"""The harness's own Stripe REST calls (never the app's): create prices, read sessions back.

The harness talks to the emulator straight, not through the fault proxy, and shows the
emulator's control token, so no fault on the app's Stripe link (the proxy's, or the
emulator's own API faults) ever hides the truth from the checkers or fails a harness step.

>>> stripe = StripeRest("http://127.0.0.1:12111", "sk_test_paychaos000000000000000000")   # doctest: +SKIP
>>> stripe.post("/v1/products", {"name": "pro"})["id"]                   # doctest: +SKIP
'prod_...'
"""

from __future__ import annotations

from typing import Any

import requests

from paychaos.errors import PaychaosError

Form = dict[str, str] | list[tuple[str, str]]


class StripeRest:
    """Form-encoded v1 calls with the environment's secret key, over one keep-alive session."""

    def __init__(
        self, base_url: str, api_key: str, timeout: float = 10.0, harness_token: str = ""
    ) -> None:
        self.base_url = base_url
        self._http = requests.Session()
        self._http.auth = (api_key, "")
        if harness_token:  # the emulator's control token: its API faults are for the app only
            self._http.headers["Paychaos-Harness-Token"] = harness_token
        self._timeout = timeout

    def post(self, path: str, data: Form) -> dict[str, Any]:
        """POST a form; a refusal is the harness's own failure, raised with Stripe's message."""
        response = self._http.post(self.base_url + path, data=data, timeout=self._timeout)
        if response.status_code >= 400:
            raise PaychaosError(f"the Stripe emulator refused {path}: {response.text[:300]}")
        answer: dict[str, Any] = response.json()
        return answer

    def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET one object or one page of a list."""
        response = self._http.get(self.base_url + path, params=params, timeout=self._timeout)
        if response.status_code >= 400:
            raise PaychaosError(f"the Stripe emulator refused {path}: {response.text[:300]}")
        answer: dict[str, Any] = response.json()
        return answer

    def list_all(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every object of a list endpoint, following ``starting_after`` pages."""
        items: list[dict[str, Any]] = []
        query = {"limit": "100", **(params or {})}
        while True:
            page = self.get(path, query)
            items.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                return items
            query["starting_after"] = page["data"][-1]["id"]

    def session(self, session_id: str) -> dict[str, Any]:
        """A Checkout Session as Stripe holds it."""
        return self.get(f"/v1/checkout/sessions/{session_id}")

    def close(self) -> None:
        self._http.close()


def id_of(value: Any) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return value if isinstance(value, str) else None
