"""``paychaos init``: a starting adapter and ``[tool.paychaos]`` for the Django project here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from paychaos.cli import app
from paychaos.errors import ConfigError

ADAPTER_FILE = "paychaos_adapter.py"
SETTINGS_RE = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
WEBHOOK_RE = re.compile(r"""path\(\s*["']([^"']*webhook[^"']*)["']""", re.IGNORECASE)

TEMPLATE = '''"""paychaos's adapter for this project: how a browser and Stripe use the app.

Written by ``paychaos init``; fill in each method marked TODO, then ``paychaos check``.
See docs/adapter.md of paychaos for the whole contract.
"""

from paychaos.app import ValidateAnswer
from paychaos.app.django_adapter import DjangoAppAdapter
from paychaos.app.traits import AppTraits


class {cls}(DjangoAppAdapter):
    settings_module = "{settings}"
    asgi_application = "{asgi}"
    webhook_path = "{webhook}"  # TODO: check: where Stripe posts webhooks
    table_prefix = "{prefix}"  # TODO: the tables emptied before every run
    # TODO: id, company_id, checkout_session_id, stripe_subscription_id, status
    subscriptions_sql = "SELECT id, company_id, checkout_session_id, stripe_subscription_id, status FROM {prefix}subscription"
    payments_sql = ""  # TODO: id, checkout_session_id, amount, company_id (empty: no rows)
    # TODO: the Stripe events your app grants the subscription on, and what else it does.
    traits = AppTraits(
        fulfils_on=("checkout.session.completed",),
        records_payments=False,
        notifies_browsers=False,
        uses_redis=False,
    )

    def create_company(self, name):
        raise NotImplementedError("TODO: create a customer (user, team...) and return its id")

    def create_plan(self, name, stripe_price_id, amount):
        raise NotImplementedError("TODO: create a plan sold through stripe_price_id; its id")

    def create_checkout(self, company_id, plan_id):
        raise NotImplementedError("TODO: call your checkout endpoint; return the cs_... id")

    def validate(self, session_id, timeout=5.0):
        raise NotImplementedError(
            "TODO: call what your success page calls; return ValidateAnswer(told=...)"
        )

    def subscription_status(self, company_id):
        raise NotImplementedError("TODO: what the account page shows: {{'status': ...}}")
'''


def _detect(project: Path) -> dict[str, str]:
    manage = project / "manage.py"
    if not manage.is_file():
        raise ConfigError(
            f"no manage.py in {project}: paychaos init writes an adapter for a Django project",
            hint="run it in the folder that holds your project's manage.py",
        )
    found = SETTINGS_RE.search(manage.read_text(encoding="utf-8", errors="replace"))
    settings = found.group(1) if found else "TODO.settings"
    package = settings.rsplit(".", 1)[0]
    asgi = (
        f"{package}.asgi:application"
        if (project / package.replace(".", "/") / "asgi.py").is_file()
        else "TODO.asgi:application"
    )
    webhook = "/TODO/webhook/"
    for path in sorted(project.rglob("urls.py")):
        if ".venv" in path.parts or "site-packages" in path.parts:
            continue
        match = WEBHOOK_RE.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            webhook = "/" + match.group(1).lstrip("^").lstrip("/")
            break
    return {"settings": settings, "asgi": asgi, "webhook": webhook, "prefix": "TODO_"}


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The Django project (default: here).")] = Path(),
    python: Annotated[
        str, typer.Option(help="The interpreter your app runs under, relative to the project.")
    ] = ".venv/bin/python",
) -> None:
    """Write a starting adapter and [tool.paychaos] for the Django project here; print what next.

    Nothing is overwritten: an existing adapter file or [tool.paychaos] is a clear error.
    """
    project = folder.resolve()
    detected = _detect(project)
    adapter = project / ADAPTER_FILE
    pyproject = project / "pyproject.toml"
    if adapter.exists():
        raise ConfigError(f"{adapter} exists already; paychaos init overwrites nothing")
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if re.search(r"^\[tool\.paychaos\]", text, re.MULTILINE):
        raise ConfigError(f"{pyproject} has a [tool.paychaos] already; paychaos init leaves it")
    cls = (
        "".join(part.title() for part in detected["settings"].split(".")[0].split("_")) + "Adapter"
    )
    adapter.write_text(TEMPLATE.format(cls=cls, **detected), encoding="utf-8")
    section = f'\n[tool.paychaos]\napp = "{ADAPTER_FILE[:-3]}:{cls}"\npython = "{python}"\n'
    pyproject.write_text(text.rstrip("\n") + ("\n" if text else "") + section, encoding="utf-8")
    console = Console()
    console.print(f"wrote {adapter.name} ({cls}) and [tool.paychaos] in {pyproject.name}")
    for key in ("settings", "asgi", "webhook"):
        how = "to fill in" if "TODO" in detected[key] else "detected"
        console.print(f"  {key}: {detected[key]} ({how})", highlight=False)
    console.print(
        "\nNext:\n"
        f"  1. fill in every TODO of {adapter.name} (docs/adapter.md says what each does)\n"
        "  2. mount paychaos.failpoints.failpoint_urlpatterns() in your urls.py\n"
        "  3. paychaos check    one purchase through your app, method by method\n"
        "  4. paychaos run      every scenario, every promise",
        highlight=False,
    )
