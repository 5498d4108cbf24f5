"""The adapter for paychaos's own reference app (``reference_app/``).

What is this app's own: its URLs, its success page, its websocket messages. The plumbing
(server process, migrations, log, reset, rows from Postgres) is ``DjangoAppAdapter``'s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from paychaos.app import AppWiring, ValidateAnswer
from paychaos.app.django_adapter import DjangoAppAdapter
from paychaos.app.traits import AppTraits
from paychaos.net import LOOPBACK
from paychaos.state import Notification


class ReferenceAppAdapter(DjangoAppAdapter):
    """Drives ``reference_app`` in any of its variants (``PAYMENTS_VARIANT``)."""

    name = "reference"
    # It fulfils on the session's completion, and on the later success of a delayed payment;
    # it keeps payment rows, notifies browsers over Channels, and uses Redis for that.
    # After every activation a Celery worker provisions the account and mails the receipt (I9).
    traits = AppTraits(
        fulfils_on=("checkout.session.completed", "checkout.session.async_payment_succeeded"),
        task_kinds=("provision_account", "send_receipt"),
        untrusted_client=True,
        webhook_tolerance_setting="STRIPE_WEBHOOK_TOLERANCE",
    )
    webhook_events = (
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    )
    asgi_application = "paychaos.reference_app.asgi:application"
    server_command = (*DjangoAppAdapter.server_command, "--ws", "websockets")
    migrate_command = (
        "{python}", "-m", "paychaos.reference_app.manage", "migrate", "--noinput", "-v", "0",
    )  # fmt: skip
    # One worker process, two threads: a task can outlive the broker's visibility timeout while
    # the worker goes on consuming (and so gets the same message again).
    worker_command = (
        "{python}", "-m", "celery", "-A", "paychaos.reference_app.tasks.worker", "worker",
        "--pool", "threads", "--concurrency", "2", "--loglevel", "info",
        "--without-heartbeat", "--without-gossip", "--without-mingle", "--hostname", "paychaos@%h",
    )  # fmt: skip
    tables = ("tasks_taskeffect", "tasks_taskrun", "tasks_taskoutbox", "tasks_taskdone")
    task_effects_sql = (
        "SELECT kind, checkout_session_id, subscription_id, company_id, task_id "
        "FROM tasks_taskeffect ORDER BY id"
    )
    task_busy_sql = (
        "SELECT count(*) FROM tasks_taskrun WHERE finished_at IS NULL AND worker_pid = %(pid)s"
    )
    health_path = "/healthz"
    webhook_path = "/api/stripe/webhook/"
    table_prefix = "payments_"
    subscriptions_sql = (
        "SELECT s.id, s.company_id, s.checkout_session_id, s.stripe_subscription_id, s.status, "
        "p.stripe_price_id FROM payments_subscription s "
        "JOIN payments_subscriptionplan p ON p.id = s.plan_id ORDER BY s.id"
    )
    payments_sql = (
        "SELECT id, checkout_session_id, amount, company_id, currency "
        "FROM payments_payment ORDER BY id"
    )

    def env(self, wiring: AppWiring) -> dict[str, str]:
        return {**super().env(wiring), "PAYMENTS_VARIANT": wiring.variant}

    def create_company(self, name: str) -> str:
        return str(self.created("/api/companies/", {"name": name})["id"])

    def create_plan(self, name: str, stripe_price_id: str, amount: int) -> str:
        payload = {"name": name, "stripe_price_id": stripe_price_id, "amount": amount}
        return str(self.created("/api/plans/", payload)["id"])

    def create_checkout(self, company_id: str, plan_id: str) -> str:
        body = self.created(
            "/api/checkout/", {"company_id": int(company_id), "plan_id": int(plan_id)}
        )
        return str(body["session_id"])

    def validate(self, session_id: str, timeout: float = 5.0) -> ValidateAnswer:
        return self._validate(session_id, {}, {}, timeout)

    def validate_as(
        self,
        session_id: str,
        *,
        signed_in: str | None = None,
        plan_id: str | None = None,
        timeout: float = 5.0,
    ) -> ValidateAnswer:
        headers = {"X-Company-Id": signed_in} if signed_in is not None else {}
        body = {"plan_id": int(plan_id)} if plan_id is not None else {}
        return self._validate(session_id, body, headers, timeout)

    def checkout_as(
        self, company_id: str, plan_id: str, *, signed_in: str, amount: int | None = None
    ) -> str:
        payload: dict[str, Any] = {"company_id": int(company_id), "plan_id": int(plan_id)}
        if amount is not None:
            payload["amount"] = amount
        response = self.http.post(
            f"{self.base_url}/api/checkout/",
            json=payload,
            headers={"X-Company-Id": signed_in},
            timeout=10,
        )
        if response.status_code >= 400:
            raise RuntimeError(f"checkout refused: {response.status_code} {response.text[:200]}")
        return str(response.json()["session_id"])

    def _validate(
        self, session_id: str, payload: dict[str, Any], headers: dict[str, str], timeout: float
    ) -> ValidateAnswer:
        try:
            response = self.http.post(
                f"{self.base_url}/api/payments/validate/{session_id}/",
                json=payload,
                headers=headers,
                timeout=timeout,
            )
        except requests.RequestException as exc:
            return ValidateAnswer(
                told=self.page_model(None, None), error=f"{type(exc).__name__}: {exc}"[:300]
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else None
        return ValidateAnswer(
            told=self.page_model(response.status_code, body),
            http_status=response.status_code,
            body=body,
        )

    # The success page (payments/success.html) writes one of these headings once validate
    # answers; while it is confirming it shows "Confirming your payment…".
    page_outcome = {"success": "text=Payment successful", "failed": "text=Payment failed"}

    def success_page_url(self, session_id: str) -> str | None:
        return f"{self.base_url}/payments/success/?session_id={quote(session_id)}"

    def page_model(self, http_status: int | None, body: dict[str, Any] | None) -> str:
        return told_by_success_page(body)

    def subscription_status(self, company_id: str) -> dict[str, Any]:
        response = self.http.get(  # the company's own user, signed in
            f"{self.base_url}/api/companies/{company_id}/subscription/",
            headers={"X-Company-Id": company_id},
            timeout=10,
        )
        response.raise_for_status()
        body = response.json()
        return {"status": body.get("status"), "session": body.get("checkout_session_id")}

    def subscription_status_as(self, company_id: str, *, signed_in: str | None) -> dict[str, Any]:
        response = self.http.get(
            f"{self.base_url}/api/companies/{company_id}/subscription/",
            headers={"X-Company-Id": signed_in} if signed_in is not None else {},
            timeout=10,
        )
        body = response.json() if response.status_code < 500 else {}
        return {
            "http_status": response.status_code,
            "status": body.get("status"),
            "session": body.get("checkout_session_id"),
            "subscription_id": body.get("subscription_id"),
        }

    def websocket_url(self, company_id: str) -> str | None:
        return f"ws://{LOOPBACK}:{self.port}/ws/companies/{company_id}/"

    def notification_from(self, company_id: str, message: dict[str, Any]) -> list[Notification]:
        kind = str(message.get("type", ""))
        if kind == "subscription.snapshot":
            return [
                Notification(
                    company_id, kind, s.get("checkout_session_id"), s.get("subscription_id")
                )
                for s in message.get("active", [])
                if isinstance(s, dict)
            ]
        if kind.startswith("subscription."):
            return [
                Notification(
                    company_id,
                    kind,
                    message.get("checkout_session_id") or message.get("session_id"),
                    message.get("subscription_id"),
                )
            ]
        return []

    def settle(self) -> None:
        self._internal("/api/_internal/notifications/drain/", {})
        self._internal("/api/_internal/tasks/drain/", {})

    def resend_owed_tasks(self) -> None:
        self._internal("/api/_internal/tasks/drain/", {"stale_after": 0})

    def _internal(self, path: str, body: dict[str, Any]) -> None:
        """POST to one of the app's harness-only endpoints, with the harness's token; a
        failure is left to the checks that follow (the app may be down)."""
        token = self._wiring.failpoints_token if self._wiring else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            self.http.post(self.base_url + path, json=body, headers=headers, timeout=10)
        except requests.RequestException:
            pass


def told_by_success_page(body: dict[str, Any] | None) -> str:
    """What ``payments/success.html`` shows for a validate answer: it reads only ``status``.

    "success" and "failed" are shown as such; anything else (pending, an error
    without a status, no answer) keeps the page on "Confirming your payment".
    """
    status = body.get("status") if body else None
    return status if status in ("success", "failed") else "pending"
