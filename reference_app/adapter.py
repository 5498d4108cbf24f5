"""The adapter for paychaos's own reference app (``reference_app/``).

It starts the app as a real uvicorn server process, drives it over HTTP as a
browser does, listens on its websocket, and reads its tables straight from
Postgres (not through the fault proxy, so a broken network never hides the
truth from the checkers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import requests

from paychaos.app import AppAdapter, AppWiring, ValidateAnswer
from paychaos.app.traits import AppTraits
from paychaos.errors import ServiceError
from paychaos.net import LOOPBACK, free_port
from paychaos.services.process import ManagedProcess, ProcessSpec
from paychaos.state import AppPayment, AppSubscription, Notification

# Tables the reference app owns; a run starts with all of them empty.
TABLE_PREFIX = "payments_"


class ReferenceAppAdapter(AppAdapter):
    """Drives ``reference_app`` in any of its variants (``PAYMENTS_VARIANT``)."""

    name = "reference"
    # It fulfils on the session's completion, and on the later success of a delayed payment;
    # it keeps payment rows, notifies browsers over Channels, and uses Redis for that.
    traits = AppTraits(
        fulfils_on=("checkout.session.completed", "checkout.session.async_payment_succeeded")
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

    def __init__(
        self, port: int | None = None, start_timeout: float = 20.0, python: str | None = None
    ) -> None:
        # The interpreter the server runs under (``[tool.paychaos] python``): its own venv.
        self.python = python or sys.executable
        self.port = port or free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.start_timeout = start_timeout
        self._proc: ManagedProcess | None = None
        self._logdir: Path | None = None
        self._wiring: AppWiring | None = None
        self._migrated = False
        self._tables: list[str] = []
        self._http = requests.Session()

    # --- lifecycle --------------------------------------------------------------------------

    def env(self, wiring: AppWiring) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PAYCHAOS_DATABASE", "DJANGO_"))
        }
        env.update(
            DATABASE_URL=wiring.database_url,
            REDIS_URL=wiring.redis_url,
            STRIPE_API_BASE=wiring.stripe_api_base,
            STRIPE_SECRET_KEY=wiring.stripe_secret_key,
            STRIPE_WEBHOOK_SECRET=wiring.stripe_webhook_secret,
            PAYMENTS_VARIANT=wiring.variant,
            APP_PUBLIC_URL=self.base_url,
            PYTHONUNBUFFERED="1",
        )
        if wiring.failpoints_token:
            env.update(PAYCHAOS_FAILPOINTS="1", PAYCHAOS_FAILPOINTS_TOKEN=wiring.failpoints_token)
        env.update(wiring.extra_env)
        return env

    def start(self, wiring: AppWiring) -> None:
        self._wiring = wiring
        env = self.env(wiring)
        if not self._migrated:
            self._migrate(env)
        self._spawn(env)

    def _migrate(self, env: dict[str, str]) -> None:
        out = subprocess.run(
            [
                self.python,
                "-m",
                "paychaos.reference_app.manage",
                "migrate",
                "--noinput",
                "-v",
                "0",
            ],
            env=env,
            cwd=self._folder(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode != 0:
            raise ServiceError(
                "the reference app's migrations failed",
                hint=(out.stderr or out.stdout).strip().splitlines()[-1]
                if (out.stderr or out.stdout)
                else None,
            )
        self._migrated = True

    def _folder(self) -> Path:
        """The server's own folder (working directory and log), removed by ``close``."""
        if self._logdir is None:
            self._logdir = Path(tempfile.mkdtemp(prefix="paychaos-app-"))
        return self._logdir

    def _spawn(self, env: dict[str, str]) -> None:
        argv = (
            self.python, "-m", "uvicorn", "paychaos.reference_app.asgi:application",
            "--host", LOOPBACK, "--port", str(self.port),
            "--no-access-log", "--lifespan", "off", "--log-level", "warning",
            "--ws", "websockets",
        )  # fmt: skip
        folder = self._folder()
        spec = ProcessSpec(
            name="app",
            argv=argv,
            env=env,
            cwd=folder,
            ready_port=self.port,
            stop_timeout=3.0,
            # The app's log goes to a file: a pipe nobody reads fills up and hangs the server.
            log_path=folder / "app.log",
            folder=folder,
        )
        self._proc = ManagedProcess(spec).start()
        try:
            self._proc.wait_ready(timeout=self.start_timeout)
        except ServiceError as exc:
            self._proc = None
            raise ServiceError("the app server did not start", hint=exc.hint or exc.what) from None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stop()

    def close(self) -> None:
        """Stop the server and remove its log folder."""
        self.stop()
        if self._logdir is not None:
            shutil.rmtree(self._logdir, ignore_errors=True)
            self._logdir = None

    def crash(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()

    def _log(self) -> Path | None:
        log = self._logdir / "app.log" if self._logdir else None
        return log if log is not None and log.exists() else None

    def log_position(self) -> int:
        log = self._log()
        return log.stat().st_size if log else 0

    def log_since(self, position: int) -> str:
        log = self._log()
        if log is None:
            return ""
        with log.open("rb") as f:
            f.seek(position if position <= log.stat().st_size else 0)
            return f.read(64 * 1024).decode("utf-8", "replace")

    def log_tail(self, max_chars: int = 3000) -> str:
        """The end of the app server's log (its warnings and tracebacks)."""
        log = self._logdir / "app.log" if self._logdir else None
        if log is None or not log.exists():
            return ""
        return log.read_bytes()[-max_chars:].decode(errors="replace")

    def restart(self, extra_env: dict[str, str] | None = None) -> None:
        self.stop()
        assert self._wiring is not None
        wiring = self._wiring
        if extra_env is not None:
            wiring = AppWiring(**{**wiring.__dict__, "extra_env": extra_env})
        self.start(wiring)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.running

    def responsive(self) -> bool:
        if not self.running:
            return False
        try:
            return self._http.get(f"{self.base_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/api/stripe/webhook/"

    # --- the browser ------------------------------------------------------------------------

    def _post(
        self, path: str, payload: dict[str, Any] | None = None, timeout: float = 10.0
    ) -> requests.Response:
        return self._http.post(self.base_url + path, json=payload or {}, timeout=timeout)

    def _created(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self._post(path, payload)
        if response.status_code >= 400:
            raise ServiceError(
                f"the app refused POST {path}: {response.status_code} {response.text[:300]}"
            )
        return response.json()

    def create_company(self, name: str) -> str:
        return str(self._created("/api/companies/", {"name": name})["id"])

    def create_plan(self, name: str, stripe_price_id: str, amount: int) -> str:
        payload = {"name": name, "stripe_price_id": stripe_price_id, "amount": amount}
        return str(self._created("/api/plans/", payload)["id"])

    def create_checkout(self, company_id: str, plan_id: str) -> str:
        body = self._created(
            "/api/checkout/", {"company_id": int(company_id), "plan_id": int(plan_id)}
        )
        return str(body["session_id"])

    def validate(self, session_id: str, timeout: float = 5.0) -> ValidateAnswer:
        try:
            response = self._post(f"/api/payments/validate/{session_id}/", timeout=timeout)
        except requests.RequestException as exc:
            return ValidateAnswer(
                told=told_by_success_page(None), error=f"{type(exc).__name__}: {exc}"[:300]
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else None
        return ValidateAnswer(
            told=told_by_success_page(body), http_status=response.status_code, body=body
        )

    def subscription_status(self, company_id: str) -> dict[str, Any]:
        response = self._http.get(
            f"{self.base_url}/api/companies/{company_id}/subscription/", timeout=10
        )
        response.raise_for_status()
        body = response.json()
        return {"status": body.get("status"), "session": body.get("checkout_session_id")}

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
        try:
            self._post("/api/_internal/notifications/drain/", timeout=10)
        except requests.RequestException:
            pass

    # --- the database -----------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        url = (
            (self._wiring.direct_database_url or self._wiring.database_url)
            if self._wiring
            else None
        )
        if not url:
            raise ServiceError("the adapter does not know the app's database yet (start it first)")
        return psycopg.connect(url, autocommit=True, connect_timeout=5)

    def reset(self) -> None:
        with self._connect() as conn:
            if not self._tables:
                rows = conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE %s",
                    (TABLE_PREFIX + "%",),
                ).fetchall()
                self._tables = sorted(r[0] for r in rows)
            conn.execute(f"TRUNCATE {', '.join(self._tables)} RESTART IDENTITY CASCADE")

    def subscriptions(self) -> list[AppSubscription]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, company_id, checkout_session_id, stripe_subscription_id, status "
                "FROM payments_subscription ORDER BY id"
            ).fetchall()
        return [
            AppSubscription(str(r[0]), _text(r[1]), _text(r[2]), _text(r[3]), r[4]) for r in rows
        ]

    def payments(self) -> list[AppPayment]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, checkout_session_id, amount, company_id FROM payments_payment ORDER BY id"
            ).fetchall()
        return [AppPayment(str(r[0]), _text(r[1]), r[2], _text(r[3])) for r in rows]


def _text(value: Any) -> str | None:
    """Ids as text; the app's empty strings mean "none"."""
    return None if value is None or value == "" else str(value)


def told_by_success_page(body: dict[str, Any] | None) -> str:
    """What ``payments/success.html`` shows for a validate answer: it reads only ``status``.

    "success" and "failed" are shown as such; anything else (pending, an error
    without a status, no answer) keeps the page on "Confirming your payment".
    """
    status = body.get("status") if body else None
    return status if status in ("success", "failed") else "pending"
