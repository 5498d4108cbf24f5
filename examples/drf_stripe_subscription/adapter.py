"""paychaos's adapter for the drf-stripe-subscription example (``site_project/``).

It runs in paychaos's venv and never imports Django or the library: the server runs under
the example's own interpreter (``[tool.paychaos] python``), is driven over HTTP as the
front end would drive it, and its rows are read straight from Postgres.

How paychaos's words map onto the library:

- a company is a Django user (the library keeps one Stripe customer per user), signed up
  through the example's ``/accounts/signup/`` and signed in with its DRF token;
- a plan is a Stripe price, pulled into the library's tables by its own
  ``update_stripe_products`` command (the README's "pull data from Stripe");
- a checkout is ``POST /stripe/checkout/ {"price_id"}`` as that user;
- the success page (``FRONT_END_BASE_URL/payment?session=...``) has no endpoint of the
  library to ask about a session: it lists ``/stripe/my-subscription/`` and shows
  "success" once a subscription is there, else keeps confirming ("pending"); it never
  says "failed";
- the library keeps no payment rows, notifies no browser and uses no Redis.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import requests

from paychaos.app import ValidateAnswer
from paychaos.app.django_adapter import DjangoAppAdapter
from paychaos.app.traits import AppTraits
from paychaos.errors import ServiceError

HERE = Path(__file__).resolve().parent


class DrfStripeSubscriptionAdapter(DjangoAppAdapter):
    """Drives drf-stripe-subscription 1.2.2 behind gunicorn, as the example project serves it."""

    name = "drf-stripe-subscription"
    # The events its README lists as supported, as a deployment registers them.
    webhook_events = (
        "product.created",
        "product.updated",
        "product.deleted",
        "price.created",
        "price.updated",
        "price.deleted",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    )
    # The library sets stripe.api_version = "2020-08-27" and parses events of that shape.
    webhook_api_version = "2020-08-27"
    traits = AppTraits(
        fulfils_on=("customer.subscription.created", "customer.subscription.updated"),
        records_payments=False,
        notifies_browsers=False,
        uses_redis=False,
    )

    settings_module = "site_project.settings"
    # One worker: failpoints are per process. Threads: a webhook held at a failpoint must not
    # keep the success page (or the failpoint control endpoint) waiting.
    server_command = (
        "{python}", "-m", "gunicorn", "site_project.wsgi:application",
        "--bind", "{host}:{port}", "--workers", "1", "--worker-class", "gthread",
        "--threads", "16", "--timeout", "120", "--graceful-timeout", "2",
        "--log-level", "warning",
    )  # fmt: skip
    health_path = "/healthz"
    webhook_path = "/stripe/webhook/"
    # The library's tables and the example's users: a run starts with all of them empty.
    tables = ("authtoken_token", "auth_user")
    table_prefix = "drf_stripe_"
    # The library keeps no Checkout Session id: a row is matched to its session through the
    # Stripe subscription id.
    subscriptions_sql = (
        "SELECT s.subscription_id, u.user_id, NULL, s.subscription_id, s.status "
        "FROM drf_stripe_subscription s JOIN drf_stripe_stripeuser u "
        "ON u.user_id = s.stripe_user_id ORDER BY s.subscription_id"
    )

    def __init__(self, python: str | None = None, project_dir: str | Path | None = None) -> None:
        super().__init__(python=python, project_dir=project_dir or HERE, start_timeout=30.0)
        # What each signed-in browser holds: the user's token, and whose session is whose.
        self._tokens: dict[str, str] = {}
        self._session_company: dict[str, str] = {}

    def reset(self) -> None:
        super().reset()
        self._tokens.clear()
        self._session_company.clear()

    # --- the browser ------------------------------------------------------------------------

    def _auth(self, company_id: str) -> dict[str, str]:
        return {"Authorization": f"Token {self._tokens[company_id]}"}

    def create_company(self, name: str) -> str:
        username = name.lower().replace(" ", "-")
        body = self.created(
            "/accounts/signup/", {"username": username, "email": f"{username}@example.com"}
        )
        company_id = str(body["id"])
        self._tokens[company_id] = body["token"]
        return company_id

    def create_plan(self, name: str, stripe_price_id: str, amount: int) -> str:
        # The library learns of products and prices from Stripe, not from the shop: pull them
        # with its own command, as its README's setup does.
        if self._wiring is None:
            raise ServiceError(f"{self.name}: create_plan() before start()")
        out = subprocess.run(
            [self.python, "-m", "django", "update_stripe_products"],
            env=self.env(self._wiring),
            cwd=self.project_dir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode != 0:
            lines = (out.stderr or out.stdout).strip().splitlines()
            raise ServiceError(
                "the library's update_stripe_products failed",
                hint=lines[-1] if lines else f"exit status {out.returncode}",
            )
        return stripe_price_id

    def create_checkout(self, company_id: str, plan_id: str) -> str:
        response = self.http.post(
            f"{self.base_url}/stripe/checkout/",
            json={"price_id": plan_id},
            headers=self._auth(company_id),
            timeout=10,
        )
        if response.status_code != 200:
            raise ServiceError(
                f"the library refused checkout: {response.status_code} {response.text[:300]}"
            )
        session_id = str(response.json()["session_id"])
        self._session_company[session_id] = company_id
        return session_id

    def _my_subscriptions(self, company_id: str, timeout: float) -> requests.Response:
        return self.http.get(
            f"{self.base_url}/stripe/my-subscription/",
            headers=self._auth(company_id),
            timeout=timeout,
        )

    def validate(self, session_id: str, timeout: float = 5.0) -> ValidateAnswer:
        company_id = self._session_company.get(session_id)
        if company_id is None:  # a browser that never created this session has nothing to ask
            return ValidateAnswer(told="pending", error="no browser holds this session")
        try:
            response = self._my_subscriptions(company_id, timeout)
        except requests.RequestException as exc:
            return ValidateAnswer(told="pending", error=f"{type(exc).__name__}: {exc}"[:300])
        try:
            listed = response.json()
        except ValueError:
            listed = None
        if response.status_code != 200 or not isinstance(listed, list):
            return ValidateAnswer(told="pending", http_status=response.status_code)
        return ValidateAnswer(
            told=told_by_success_page(listed),
            http_status=response.status_code,
            body={"subscriptions": listed},
        )

    def subscription_status(self, company_id: str) -> dict[str, Any]:
        response = self._my_subscriptions(company_id, timeout=10)
        response.raise_for_status()
        listed = response.json()
        # The account page lists current subscriptions only (the library filters out ended ones).
        if not listed:
            return {"status": "none", "session": None}
        first = listed[0]
        return {"status": first.get("status"), "subscription": first.get("subscription_id")}


def told_by_success_page(listed: list[Any]) -> str:
    """What the front end's ``/payment`` page shows: "success" once ``my-subscription`` lists a
    subscription (the library lists only access-granting ones), else it keeps confirming."""
    return "success" if listed else "pending"
