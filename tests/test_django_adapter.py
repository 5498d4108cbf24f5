"""The Django adapter base: commands from placeholders, a clear error for a wrong one."""

from __future__ import annotations

import pytest

from paychaos.app.django_adapter import DjangoAppAdapter
from paychaos.errors import ConfigError


class Shop(DjangoAppAdapter):
    asgi_application = "shop.asgi:application"
    subscriptions_sql = "SELECT 1"

    def create_company(self, name): ...
    def create_plan(self, name, stripe_price_id, amount): ...
    def create_checkout(self, company_id, plan_id): ...
    def validate(self, session_id, timeout=5.0): ...
    def subscription_status(self, company_id): ...


def test_the_server_runs_under_the_apps_own_interpreter_on_its_port():
    shop = Shop(python="/srv/shop/.venv/bin/python", port=8123)
    argv = shop._command(shop.server_command)
    assert argv[:4] == ["/srv/shop/.venv/bin/python", "-m", "uvicorn", "shop.asgi:application"]
    assert (
        argv[argv.index("--port") + 1] == "8123" and argv[argv.index("--host") + 1] == "127.0.0.1"
    )
    assert shop.webhook_url == "http://127.0.0.1:8123/stripe/webhook/"


def test_an_unknown_placeholder_is_a_clear_error():
    class Typo(Shop):
        server_command = ("{pyhton}", "manage.py", "runserver")

    with pytest.raises(ConfigError, match="unknown placeholder 'pyhton'"):
        Typo(port=1)._command(Typo.server_command)


def test_an_app_without_payment_rows_has_none_and_rows_need_a_query():
    assert Shop(port=1).payments() == []

    class Bare(Shop):
        subscriptions_sql = ""

    with pytest.raises(ConfigError, match="sets no subscriptions_sql"):
        Bare(port=1).subscriptions()


def test_migrations_that_never_finish_are_a_clear_error(tmp_path):
    """A migration stuck on a lock (or a machine far too busy) is a ServiceError naming the app
    and the last thing it printed, not a subprocess traceback."""
    import sys

    from paychaos.errors import ServiceError

    class Stuck(Shop):
        migrate_command = (
            "{python}", "-c", "import time; print('Applying shop.0042...', flush=True); time.sleep(60)",
        )  # fmt: skip

    shop = Stuck(python=sys.executable, project_dir=tmp_path, port=1)
    shop.migrate_timeout = 10.0  # the child prints at once, then sleeps far longer
    with pytest.raises(ServiceError) as caught:
        shop._migrate({"PATH": "/usr/bin:/bin"})
    assert "did not finish in 10 s" in caught.value.what
    assert caught.value.hint == "Applying shop.0042..."
