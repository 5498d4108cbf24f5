"""paychaos's adapter for the dj-stripe example (``site_project/``).

It runs in paychaos's venv and never imports Django or dj-stripe: the server runs under the
example's own interpreter (``[tool.paychaos] python``), is driven over HTTP as a browser would
drive it, and its rows are read straight from Postgres.

How paychaos's words map onto the example:

- a company is a Django user (dj-stripe's subscriber model), signed up through the example's
  ``/accounts/signup/``; each browser keeps its own session cookie;
- a plan is a Stripe price: the checkout sends its id, and dj-stripe learns of the product and
  price when it syncs a subscription;
- a checkout is ``POST /billing/checkout/ {"price_id"}`` as that user;
- the success page is ``GET /billing/success/?session_id=...``, which syncs the session and
  its subscription from Stripe and answers "success", "pending", "failed" or "ended";
- dj-stripe's webhook is ``/stripe/webhook/<uuid>/``; the UUID is this adapter's, and the site's
  ``link_webhook_endpoint`` command puts the endpoint (and its secret) in dj-stripe's table;
- the example keeps no payment rows of its own, notifies no browser and uses no Redis.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any

import requests

from paychaos.app import AppWiring, ValidateAnswer
from paychaos.app.django_adapter import DjangoAppAdapter
from paychaos.app.traits import AppTraits
from paychaos.errors import ServiceError

HERE = Path(__file__).resolve().parent
# stripe-python 14.4.2's pinned version: dj-stripe's STRIPE_API_VERSION, and the version its
# admin creates an endpoint in.
DJSTRIPE_API_VERSION = "2026-02-25.clover"


class DjStripeAdapter(DjangoAppAdapter):
    """Drives dj-stripe 2.10.4 behind gunicorn, as the example project serves it."""

    name = "dj-stripe"
    # dj-stripe syncs every object it is told of: its endpoint listens to everything.
    webhook_events = ("*",)
    webhook_api_version = DJSTRIPE_API_VERSION
    traits = AppTraits(
        # The events whose handling writes the subscription row (dj-stripe re-reads the object
        # from Stripe and syncs it; a session's sync brings its subscription along).
        fulfils_on=(
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "customer.subscription.created",
            "customer.subscription.updated",
        ),
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
    # dj-stripe's tables and the example's users: a run starts with all of them empty.
    tables = ("auth_user", "django_session")
    table_prefix = "djstripe_"
    # dj-stripe keeps the status in the object's synced Stripe data; a subscription's
    # Checkout Session is the synced session that points at it.
    subscriptions_sql = (
        "SELECT s.id, c.subscriber_id, "
        "(SELECT min(x.id) FROM djstripe_session x WHERE x.subscription_id = s.id), "
        "s.id, s.stripe_data->>'status' "
        "FROM djstripe_subscription s LEFT JOIN djstripe_customer c ON c.id = s.customer_id "
        "ORDER BY s.id"
    )

    def __init__(self, python: str | None = None, project_dir: str | Path | None = None) -> None:
        super().__init__(python=python, project_dir=project_dir or HERE, start_timeout=30.0)
        self.endpoint_uuid = uuid.uuid4()
        # One browser per company (its session cookie), and whose session is whose.
        self._browsers: dict[str, requests.Session] = {}
        self._session_company: dict[str, str] = {}

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/stripe/webhook/{self.endpoint_uuid}/"

    def start(self, wiring: AppWiring) -> None:
        super().start(wiring)
        self._link_endpoint()

    def reset(self) -> None:
        super().reset()  # empties dj-stripe's endpoint table too
        self._link_endpoint()
        for browser in self._browsers.values():
            browser.close()
        self._browsers.clear()
        self._session_company.clear()

    def close(self) -> None:
        super().close()
        for browser in self._browsers.values():
            browser.close()

    def _link_endpoint(self) -> None:
        """Write dj-stripe's row for the endpoint paychaos registered (URL, secret)."""
        if self._wiring is None:
            raise ServiceError(f"{self.name}: the endpoint is linked after start()")
        out = subprocess.run(
            [self.python, "-m", "django", "link_webhook_endpoint", str(self.endpoint_uuid)],
            env=self.env(self._wiring),
            cwd=self.project_dir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode != 0:
            lines = (out.stderr or out.stdout).strip().splitlines()
            raise ServiceError(
                "the example's link_webhook_endpoint failed",
                hint=lines[-1] if lines else f"exit status {out.returncode}",
            )

    # --- the browser ------------------------------------------------------------------------

    def create_company(self, name: str) -> str:
        username = name.lower().replace(" ", "-")
        browser = requests.Session()
        response = browser.post(
            f"{self.base_url}/accounts/signup/",
            json={"username": username, "email": f"{username}@example.com"},
            timeout=10,
        )
        if response.status_code != 201:
            browser.close()
            raise ServiceError(
                f"the app refused sign-up: {response.status_code} {response.text[:300]}"
            )
        company_id = str(response.json()["id"])
        self._browsers[company_id] = browser
        return company_id

    def create_plan(self, name: str, stripe_price_id: str, amount: int) -> str:
        # The shop sells Stripe prices as they are: dj-stripe syncs the price with the
        # subscription that uses it.
        return stripe_price_id

    def create_checkout(self, company_id: str, plan_id: str) -> str:
        response = self._browsers[company_id].post(
            f"{self.base_url}/billing/checkout/", json={"price_id": plan_id}, timeout=10
        )
        if response.status_code != 200:
            raise ServiceError(
                f"the app refused checkout: {response.status_code} {response.text[:300]}"
            )
        session_id = str(response.json()["session_id"])
        self._session_company[session_id] = company_id
        return session_id

    def validate(self, session_id: str, timeout: float = 5.0) -> ValidateAnswer:
        company_id = self._session_company.get(session_id)
        if company_id is None:  # a browser that never created this session has nothing to ask
            return ValidateAnswer(told="pending", error="no browser holds this session")
        try:
            response = self._browsers[company_id].get(
                f"{self.base_url}/billing/success/",
                params={"session_id": session_id},
                timeout=timeout,
            )
        except requests.RequestException as exc:
            return ValidateAnswer(told="pending", error=f"{type(exc).__name__}: {exc}"[:300])
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            # The page shows its error and keeps confirming (it retries on reload).
            return ValidateAnswer(told="pending", http_status=response.status_code)
        return ValidateAnswer(
            told=told_by_success_page(body), http_status=response.status_code, body=body
        )

    def subscription_status(self, company_id: str) -> dict[str, Any]:
        response = self._browsers[company_id].get(f"{self.base_url}/billing/account/", timeout=10)
        response.raise_for_status()
        listed = response.json()["subscriptions"]
        if not listed:
            return {"status": "none", "session": None}
        first = listed[0]
        return {"status": first["status"], "subscription": first["id"]}


def told_by_success_page(body: dict[str, Any]) -> str:
    """What the success page shows for its answer: "success", "failed", or, for "ended" (a paid
    subscription since canceled: neither a success to show nor a failed payment) and anything
    else, "pending"."""
    status = body.get("status")
    return status if status in ("success", "failed") else "pending"
