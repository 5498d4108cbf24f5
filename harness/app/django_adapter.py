"""The plumbing every Django app's adapter needs, so yours holds only what is your app's.

``DjangoAppAdapter`` starts the app's server as a subprocess under the app's own interpreter,
runs its migrations once, waits until it answers, crashes and restarts it for process faults,
captures its log (evidence beside a failed call), resets it by truncating its tables, and
reads its rows with SQL straight from Postgres. A subclass says, as class attributes, how to
serve the app and where its rows are, and implements the browser's part (companies, plans,
checkout, validate)::

    class ShopAdapter(DjangoAppAdapter):
        settings_module = "shop.settings"
        asgi_application = "shop.asgi:application"
        webhook_path = "/stripe/webhook/"
        table_prefix = "billing_"
        subscriptions_sql = (
            "SELECT id, company_id, checkout_session_id, stripe_subscription_id, status "
            "FROM billing_subscription"
        )
        ...

The adapter never imports Django or the app: it runs in paychaos's interpreter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import psycopg
import requests

from paychaos.app import AppAdapter, AppWiring
from paychaos.errors import ConfigError, ServiceError
from paychaos.net import LOOPBACK, release_port, stable_port
from paychaos.services.process import ManagedProcess, ProcessSpec
from paychaos.services.registry import ProcessRegistry
from paychaos.state import AppPayment, AppSubscription, TaskEffect

# How much of the server's log one ``log_since`` returns at most.
LOG_READ_MAX = 64 * 1024
# How often a reset asks its truncate again after Postgres aborted it as a deadlock.
RESET_DEADLOCK_TRIES = 6
# Waiting for the worker to go idle: a look every IDLE_LOOK seconds; without the worker's log
# to count its tasks, idle means idle for IDLE_QUIET seconds on end (three looks 0.1 s apart).
IDLE_LOOK = 0.02
IDLE_QUIET = 0.2


class DjangoAppAdapter(AppAdapter):
    """An ``AppAdapter`` for a Django app served over HTTP on loopback.

    Placeholders in commands: ``{python}`` (the app's interpreter), ``{host}``, ``{port}``,
    ``{asgi}`` (``asgi_application``).
    """

    #: ``DJANGO_SETTINGS_MODULE`` of the app.
    settings_module: ClassVar[str] = ""
    #: The ASGI application served by the default ``server_command``.
    asgi_application: ClassVar[str] = ""
    #: How the server is started (one worker: failpoints live in one process).
    server_command: ClassVar[tuple[str, ...]] = (
        "{python}", "-m", "uvicorn", "{asgi}", "--host", "{host}", "--port", "{port}",
        "--no-access-log", "--lifespan", "off", "--log-level", "warning",
    )  # fmt: skip
    #: How migrations run, once per adapter, before the first start.
    migrate_command: ClassVar[tuple[str, ...]] = (
        "{python}", "-m", "django", "migrate", "--noinput", "-v", "0",
    )  # fmt: skip
    #: A GET that a healthy server answers below 500 (``responsive``).
    health_path: ClassVar[str] = "/"
    #: Where Stripe posts webhooks, below ``base_url``.
    webhook_path: ClassVar[str] = "/stripe/webhook/"
    #: The tables ``reset`` empties: these, and every table whose name starts with the prefix.
    tables: ClassVar[tuple[str, ...]] = ()
    table_prefix: ClassVar[str] = ""
    #: Rows as the checkers read them. Subscriptions: id, company_id, checkout_session_id,
    #: stripe_subscription_id, status, and optionally the Stripe price id of the granted plan
    #: (I10). Payments: id, checkout_session_id, amount, company_id, and optionally currency.
    #: Empty ``payments_sql``: the app keeps no payment rows (say so in ``traits`` too).
    subscriptions_sql: ClassVar[str] = ""
    payments_sql: ClassVar[str] = ""
    #: The task side (optional; see docs/adapter.md). How the worker is started (empty: the app
    #: has none); the text its log shows once it consumes; the queues it consumes.
    worker_command: ClassVar[tuple[str, ...]] = ()
    worker_ready_text: ClassVar[str] = " ready."
    worker_queues: ClassVar[tuple[str, ...]] = ("celery",)
    #: What the worker's log says (a regular expression, one line each) when it received a
    #: task and when a task ended (succeeded, failed, retried, ignored, rejected): Celery's
    #: lines at ``--loglevel info``. Empty: the harness cannot count tasks in the worker.
    worker_received_re: ClassVar[str] = r"^.*\] Task \S+\[[^\]]+\] received\s*$"
    worker_ended_re: ClassVar[str] = r"^.*\] Task \S+\[[^\]]+\] (?!received\s*$)\S.*$"
    #: Task effects, one row per run that did its work: kind, checkout_session_id,
    #: subscription_id, company_id, task_id.
    task_effects_sql: ClassVar[str] = ""
    #: How many tasks the worker with pid ``%(pid)s`` is inside now (empty: cannot tell).
    task_busy_sql: ClassVar[str] = ""

    def __init__(
        self,
        *,
        python: str | None = None,
        project_dir: str | Path | None = None,
        port: int | None = None,
        start_timeout: float = 20.0,
        settings: dict[str, Any] | None = None,
    ) -> None:
        #: The interpreter the server runs under: the app's own venv (``[tool.paychaos] python``).
        self.python = python or sys.executable
        #: The folder the server and its migrations run in (the app's project), if any.
        self.project_dir = Path(project_dir) if project_dir else None
        self.settings = dict(settings or {})
        self.port = port or stable_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.start_timeout = start_timeout
        #: How long the app's migrations may take at the first start.
        self.migrate_timeout = 600.0
        self.http = requests.Session()
        self._proc: ManagedProcess | None = None
        self._worker: ManagedProcess | None = None
        self._worker_log_mark = 0
        # The worker's tasks counted from its log (``_tasks_in_worker``): from where, up to where.
        self._task_count_from = self._task_count_at = -1
        self._tasks_inside = 0
        self._logdir: Path | None = None
        self._logdir_entry: Path | None = None
        self._wiring: AppWiring | None = None
        self._migrated = False
        self._tables: list[str] = []
        self._reset_sql: str | None = None  # what empties them, worked out once (``reset``)
        self._direct: psycopg.Connection[Any] | None = None  # kept for every run's queries

    # --- what the app is told -----------------------------------------------------------------

    def env(self, wiring: AppWiring) -> dict[str, str]:
        """The server's environment: the wiring as the usual variables. Extend it for your
        app's own names (call ``super().env(wiring)`` and add to the result)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYCHAOS_", "DJANGO_"))}
        env.update(
            DATABASE_URL=wiring.database_url,
            REDIS_URL=wiring.redis_url,
            STRIPE_API_BASE=wiring.stripe_api_base,
            STRIPE_SECRET_KEY=wiring.stripe_secret_key,
            STRIPE_WEBHOOK_SECRET=wiring.stripe_webhook_secret,
            APP_PUBLIC_URL=self.base_url,
            PYTHONUNBUFFERED="1",
        )
        if wiring.broker_url and self.worker_command:
            env["BROKER_URL"] = wiring.broker_url
        if self.settings_module:
            env["DJANGO_SETTINGS_MODULE"] = self.settings_module
        if self.project_dir is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(self.project_dir), env.get("PYTHONPATH", "")) if p
            )
        if wiring.failpoints_token:
            env.update(PAYCHAOS_FAILPOINTS="1", PAYCHAOS_FAILPOINTS_TOKEN=wiring.failpoints_token)
        env.update(wiring.extra_env)
        return env

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self, wiring: AppWiring) -> None:
        self._wiring = wiring
        env = self.env(wiring)
        if not self._migrated:
            self._migrate(env)
        self._spawn(env)
        if self.has_worker and not self.worker_running:
            self.start_worker()

    def _command(self, template: tuple[str, ...]) -> list[str]:
        values = {
            "python": self.python,
            "host": LOOPBACK,
            "port": str(self.port),
            "asgi": self.asgi_application,
        }
        try:
            return [part.format(**values) for part in template]
        except (KeyError, IndexError) as exc:
            raise ConfigError(
                f"{type(self).__name__}: unknown placeholder {exc} in {template}",
                hint="the placeholders are {python}, {host}, {port} and {asgi}",
            ) from None

    def _folder(self) -> Path:
        """The server's own folder (its log), removed by ``close``; recorded in the registry
        (with the owner marker), so the next start removes it if this harness is killed."""
        if self._logdir is None:
            self._logdir = Path(tempfile.mkdtemp(prefix="paychaos-app-"))
            self._logdir_entry = ProcessRegistry.default().add_folder("app", self._logdir)
        return self._logdir

    def _cwd(self) -> Path:
        return self.project_dir or self._folder()

    def _migrate(self, env: dict[str, str]) -> None:
        if not self.migrate_command:
            self._migrated = True
            return
        try:
            out = subprocess.run(
                self._command(self.migrate_command),
                env=env,
                cwd=self._cwd(),
                capture_output=True,
                text=True,
                timeout=self.migrate_timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServiceError(
                f"the migrations of {self.name} did not finish in {self.migrate_timeout:g} s",
                hint=_last_line(exc.stderr or exc.stdout)
                or "no output: a lock held on the database, or a machine too busy",
            ) from None
        if out.returncode != 0:
            raise ServiceError(
                f"the migrations of {self.name} failed (exit {out.returncode})",
                hint=_last_line(out.stderr or out.stdout),
            )
        self._migrated = True

    def _spawn(self, env: dict[str, str]) -> None:
        folder = self._folder()
        spec = ProcessSpec(
            name="app",
            argv=tuple(self._command(self.server_command)),
            env=env,
            cwd=self._cwd(),
            ready_port=self.port,
            stop_timeout=3.0,
            # The log goes to a file: a pipe nobody reads fills up and hangs the server.
            log_path=folder / "app.log",
            folder=folder,
        )
        self._proc = ManagedProcess(spec).start()
        try:
            self._proc.wait_ready(timeout=self.start_timeout)
        except ServiceError as exc:
            self._proc = None
            tail = self.log_tail(1500).strip()
            raise ServiceError(
                f"the server of {self.name} did not start",
                hint=(tail.splitlines()[-1] if tail else None) or exc.hint or exc.what,
            ) from None

    def stop(self) -> None:
        self._stop_server()
        self.stop_worker()

    # Each stop forgets its process only once it is stopped: a stop cut short (SIGTERM during a
    # restart) leaves it for ``close`` to stop again, not for the next start's reaper.
    def _stop_server(self) -> None:
        if self._proc is not None:
            self._proc.stop()
            self._proc = None

    def close(self) -> None:
        """Stop the server and remove its log folder."""
        self.stop()
        self._close_direct()
        self.http.close()
        release_port(self.port)
        if self._logdir is not None:
            shutil.rmtree(self._logdir, ignore_errors=True)
            ProcessRegistry.default().remove(self._logdir_entry)
            self._logdir, self._logdir_entry = None, None

    def crash(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc = None

    def restart(self, extra_env: dict[str, str] | None = None) -> None:
        """The server again; the worker is left as it is (the nemesis acts on it apart)."""
        self._stop_server()
        if self._wiring is None:
            raise ServiceError(f"{self.name} cannot restart before its first start")
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
            return self.http.get(self.base_url + self.health_path, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def webhook_url(self) -> str:
        return self.base_url + self.webhook_path

    # --- the worker (the task side) ----------------------------------------------------------

    @property
    def has_worker(self) -> bool:
        return bool(self.worker_command and self._wiring and self._wiring.broker_url)

    def _worker_log(self) -> Path:
        return self._folder() / "worker.log"

    def _worker_ready(self) -> bool:
        log = self._worker_log()
        if not log.exists():
            return False
        with log.open("rb") as f:
            f.seek(self._worker_log_mark)
            return self.worker_ready_text.encode() in f.read()

    def start_worker(self) -> None:
        if not self.has_worker or self.worker_running or self._wiring is None:
            return
        folder = self._folder()
        log = self._worker_log()
        self._worker_log_mark = log.stat().st_size if log.exists() else 0
        spec = ProcessSpec(
            name="worker",
            argv=tuple(self._command(self.worker_command)),
            env=self.env(self._wiring),
            cwd=self._cwd(),
            ready_check=self._worker_ready,
            stop_timeout=5.0,
            log_path=log,
            folder=folder,
        )
        self._worker = ManagedProcess(spec).start()
        try:
            self._worker.wait_ready(timeout=self.start_timeout)
        except ServiceError as exc:
            self._worker = None
            raise ServiceError(
                f"the task worker of {self.name} did not start", hint=exc.hint or exc.what
            ) from None

    def stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def kill_worker(self) -> None:
        if self._worker is not None:
            # The whole family at once, as a host that dies takes every pool process with it.
            self._worker.stop(sig=9, timeout=2.0)
            self._worker = None

    def pause_worker(self) -> None:
        if self._worker is not None and self._worker.running:
            self._worker.pause()

    def resume_worker(self) -> None:
        if self._worker is not None and self._worker.running:
            self._worker.resume()

    @property
    def worker_running(self) -> bool:
        return self._worker is not None and self._worker.running

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid if self._worker else None

    def worker_busy(self) -> bool | None:
        pid = self.worker_pid
        if not self.task_busy_sql or pid is None:
            return None
        # On the connection kept across runs: a look costs a query, not a Postgres backend.
        row = self._on_database(
            lambda conn: conn.execute(self.task_busy_sql, {"pid": pid}).fetchone()
        )
        return bool(row and row[0])

    def _tasks_in_worker(self) -> int | None:
        """How many tasks the current worker said it received and has not said it ended (its
        log since it started: ``worker_received_re`` lines less ``worker_ended_re`` lines); None
        when the adapter names no such lines. Reads only what the log gained since the last
        look (whole lines)."""
        if not (self.worker_received_re and self.worker_ended_re):
            return None
        if self._task_count_from != self._worker_log_mark:  # another worker since: count anew
            self._task_count_from = self._task_count_at = self._worker_log_mark
            self._tasks_inside = 0
        log = self._worker_log()
        if not log.exists():
            return self._tasks_inside
        with log.open("rb") as f:
            f.seek(self._task_count_at)
            gained = f.read()
        whole = gained[: gained.rfind(b"\n") + 1]
        self._task_count_at += len(whole)
        text = whole.decode("utf-8", "replace")
        self._tasks_inside += len(re.findall(self.worker_received_re, text, re.MULTILINE))
        self._tasks_inside -= len(re.findall(self.worker_ended_re, text, re.MULTILINE))
        return self._tasks_inside

    def wait_tasks_idle(self, timeout: float) -> bool:
        """Idle: nothing queued or unacknowledged on the broker, no task running (``task_busy_sql``)
        and, when the worker's log tells, every task it received ended; twice in a row, a look
        apart, for the one moment nothing shows a message (the worker popped it and has not
        yet marked it unacknowledged). Without what the log tells (or while its counts do not
        balance), the old rule: the same for ``IDLE_QUIET`` seconds."""
        wiring = self._wiring
        url = wiring.direct_broker_url or wiring.broker_url if wiring else None
        if not self.has_worker or not url:
            return True
        from paychaos.app.broker import broker_backlog

        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        counted = 0  # looks in a row that were idle with every received task ended
        while time.monotonic() < deadline:
            try:
                idle = broker_backlog(url, self.worker_queues) == 0 and not self.worker_busy()
                inside = self._tasks_in_worker() if idle else None
            except (OSError, ServiceError, psycopg.Error):
                idle, inside = False, None
            now = time.monotonic()
            quiet_since = (quiet_since if quiet_since is not None else now) if idle else None
            counted = counted + 1 if idle and inside == 0 else 0
            if counted >= 2 or (quiet_since is not None and now - quiet_since >= IDLE_QUIET):
                return True
            time.sleep(IDLE_LOOK)
        return False

    def task_effects(self) -> list[TaskEffect]:
        if not self.task_effects_sql:
            return []
        return [
            TaskEffect(str(r[0]), text_id(r[1]), text_id(r[2]), text_id(r[3]), text_id(r[4]))
            for r in self.rows(self.task_effects_sql)
        ]

    def worker_log_tail(self, max_chars: int = 3000) -> str:
        log = self._worker_log() if self._logdir else None
        return (
            log.read_bytes()[-max_chars:].decode(errors="replace") if log and log.exists() else ""
        )

    # --- the log ------------------------------------------------------------------------------

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
            return f.read(LOG_READ_MAX).decode("utf-8", "replace")

    def log_tail(self, max_chars: int = 3000) -> str:
        """The end of the server's log (its warnings and tracebacks)."""
        log = self._log()
        return log.read_bytes()[-max_chars:].decode(errors="replace") if log else ""

    # --- the database -------------------------------------------------------------------------

    def connect(self) -> psycopg.Connection[Any]:
        """A connection to the app's database, not through the fault proxy."""
        wiring = self._wiring
        url = (wiring.direct_database_url or wiring.database_url) if wiring else None
        if not url:
            raise ServiceError(f"{self.name}: the database is not known yet (start it first)")
        return psycopg.connect(url, autocommit=True, connect_timeout=5)

    def reset(self) -> None:
        def truncate(conn: psycopg.Connection[Any]) -> None:
            if not self._tables:
                found = set(self.tables)
                if self.table_prefix:
                    rows = conn.execute(
                        "SELECT tablename FROM pg_tables "
                        "WHERE schemaname = 'public' AND tablename LIKE %s",
                        (self.table_prefix.replace("_", r"\_") + "%",),
                    ).fetchall()
                    found |= {r[0] for r in rows}
                self._tables = sorted(found)
            if self._reset_sql is None:
                self._reset_sql = _emptying_sql(conn, self._tables) if self._tables else ""
            if self._reset_sql:
                conn.execute(self._reset_sql)

        # A request of the last run still finishing (a held one just released) can lock rows
        # the truncate needs while waiting on a table it holds: Postgres aborts the truncate
        # as a deadlock. Its request ends; the truncate is asked again.
        for attempt in range(RESET_DEADLOCK_TRIES):
            try:
                self._on_database(truncate)
                return
            except psycopg.errors.DeadlockDetected:
                if attempt == RESET_DEADLOCK_TRIES - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of one query on the app's database."""
        return self._on_database(lambda conn: list(conn.execute(sql).fetchall()))

    def _on_database(self, work: Any) -> Any:
        """``work(connection)`` on one connection kept across runs (opening one costs a
        Postgres backend each time); a connection a fault broke (backends terminated, Postgres
        restarted) is replaced once. Each piece of work is a whole statement: safe to redo."""
        for attempt in (1, 2):
            if self._direct is None or self._direct.closed:
                self._direct = self.connect()
            try:
                return work(self._direct)
            except (psycopg.OperationalError, psycopg.InterfaceError):
                self._close_direct()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _close_direct(self) -> None:
        conn, self._direct = self._direct, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                pass

    def subscriptions(self) -> list[AppSubscription]:
        if not self.subscriptions_sql:
            raise ConfigError(f"{type(self).__name__} sets no subscriptions_sql")
        return [
            AppSubscription(
                str(r[0]),
                text_id(r[1]),
                text_id(r[2]),
                text_id(r[3]),
                str(r[4]),
                plan_price_id=text_id(r[5]) if len(r) > 5 else None,
            )
            for r in self.rows(self.subscriptions_sql)
        ]

    def payments(self) -> list[AppPayment]:
        if not self.payments_sql:
            return []
        return [
            AppPayment(
                str(r[0]),
                text_id(r[1]),
                r[2],
                text_id(r[3]),
                currency=text_id(r[4]) if len(r) > 4 else None,
            )
            for r in self.rows(self.payments_sql)
        ]

    # --- the browser's HTTP -------------------------------------------------------------------

    def post_json(
        self, path: str, payload: dict[str, Any] | None = None, timeout: float = 10.0
    ) -> requests.Response:
        return self.http.post(self.base_url + path, json=payload or {}, timeout=timeout)

    def created(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST ``payload`` and return the JSON body; an HTTP error says what the app answered."""
        response = self.post_json(path, payload)
        if response.status_code >= 400:
            raise ServiceError(
                f"the app refused POST {path}: {response.status_code} {response.text[:300]}"
            )
        body: dict[str, Any] = response.json()
        return body


# The foreign keys between tables of the public schema: (referencing table, referenced table).
_FOREIGN_KEYS = """
SELECT src.relname, dst.relname FROM pg_constraint c
JOIN pg_class src ON src.oid = c.conrelid
JOIN pg_namespace ns ON ns.oid = src.relnamespace
JOIN pg_class dst ON dst.oid = c.confrelid
WHERE c.contype = 'f' AND ns.nspname = 'public'
"""
# Row triggers of the user's own on these tables (a DELETE would fire them, a TRUNCATE does not).
_USER_TRIGGERS = """
SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ns.nspname = 'public' AND c.relname = ANY(%s)
"""
# The sequences the tables' columns own (serial and identity columns).
_OWNED_SEQUENCES = """
SELECT DISTINCT s.relname FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace ns ON ns.oid = t.relnamespace
WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i') AND ns.nspname = 'public'
AND t.relname = ANY(%s) ORDER BY 1
"""


def _emptying_sql(conn: psycopg.Connection[Any], tables: list[str]) -> str:
    """One batch that leaves ``tables`` as ``TRUNCATE ... RESTART IDENTITY CASCADE`` leaves
    them, sent as one statement string (one round trip, one implicit transaction).

    A DELETE of a few rows costs a fraction of a TRUNCATE, which makes new files for every
    table: so each table (and every table that references one of them, as CASCADE would) is
    emptied by DELETE, the referencing ones first, then each sequence they own restarts. When
    that cannot stand for the TRUNCATE (foreign keys in a cycle, triggers of the app's own
    that a DELETE would fire), the TRUNCATE itself.
    """
    keys = [(str(a), str(b)) for a, b in conn.execute(_FOREIGN_KEYS).fetchall()]
    chosen = set(tables)
    grew = True
    while grew:  # CASCADE empties whatever references an emptied table, and so on
        grew = False
        for src, dst in keys:
            if dst in chosen and src not in chosen:
                chosen.add(src)
                grew = True
    names = sorted(chosen)
    truncate = "TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in names))
    row = conn.execute(_USER_TRIGGERS, (names,)).fetchone()
    if row and row[0]:
        return truncate
    order: list[str] = []
    left = set(names)
    while left:
        # A table no other remaining table references can be emptied now.
        free = sorted(t for t in left if not any(s in left and s != t and d == t for s, d in keys))
        if not free:
            return truncate  # a cycle of foreign keys
        order += free
        left -= set(free)
    sequences = [str(r[0]) for r in conn.execute(_OWNED_SEQUENCES, (names,)).fetchall()]
    statements = [f'DELETE FROM "{t}"' for t in order]
    statements += [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
    return "; ".join(statements)


def text_id(value: Any) -> str | None:
    """Ids as text; an app's empty strings mean "none"."""
    return None if value is None or value == "" else str(value)


def _last_line(output: str | bytes | None) -> str | None:
    """The last line a command printed (a timed-out run's output comes as bytes), or None."""
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    lines = (output or "").strip().splitlines()
    return lines[-1] if lines else None
