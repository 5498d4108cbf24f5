"""paychaos init writes a starting adapter for a Django project; paychaos check makes one
purchase through an adapter and says which method failed, with the app's log."""

from __future__ import annotations

import textwrap

from tests.paychaos_cli import paychaos
from tests.test_app_config import BROKEN_CHECKOUT


def _django_project(root):
    (root / "manage.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n'
    )
    (root / "shop").mkdir()
    (root / "shop" / "asgi.py").write_text("application = None\n")
    (root / "shop" / "urls.py").write_text(
        textwrap.dedent(
            """
            from django.urls import path
            urlpatterns = [path("billing/stripe-webhook/", None)]
            """
        )
    )


def test_init_writes_an_adapter_and_the_config_and_overwrites_nothing(tmp_path):
    _django_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    out = paychaos("init", cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    adapter = (tmp_path / "paychaos_adapter.py").read_text()
    assert 'settings_module = "shop.settings"' in adapter
    assert 'asgi_application = "shop.asgi:application"' in adapter
    assert 'webhook_path = "/billing/stripe-webhook/"' in adapter
    pyproject = (tmp_path / "pyproject.toml").read_text()
    assert '[project]\nname = "shop"' in pyproject  # kept as it was
    assert 'app = "paychaos_adapter:ShopAdapter"' in pyproject
    assert "paychaos check" in out.stdout
    again = paychaos("init", cwd=tmp_path, timeout=60)
    assert again.returncode == 2 and "overwrites nothing" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr


def test_init_outside_a_django_project_says_where_to_run_it(tmp_path):
    out = paychaos("init", cwd=tmp_path, timeout=60)
    assert out.returncode == 2 and "no manage.py" in out.stderr, out.stderr


def test_check_walks_one_purchase_through_the_reference_adapter(tmp_path):
    out = paychaos("check", cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    for method in ("create_company", "create_checkout", "validate", "subscriptions"):
        assert f"✓ {method}" in out.stdout, out.stdout
    assert "works end to end" in out.stdout


def test_check_names_the_method_that_failed(tmp_path):
    (tmp_path / "broken_checkout.py").write_text(BROKEN_CHECKOUT)
    out = paychaos("check", "--app", "broken_checkout:BrokenCheckout", cwd=tmp_path, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "✗ create_checkout" in out.stdout and "HTTP 500 from /payments/checkout/" in out.stdout
    assert "✓ create_company" in out.stdout and "✓ validate" not in out.stdout
