"""The app under test is an input: --app, PAYCHAOS_APP, [tool.paychaos]; bad input exits 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from paychaos.app.config import REFERENCE_APP, find_config, load_adapter
from paychaos.errors import ConfigError
from tests.paychaos_cli import PLAIN_ENV, paychaos

BROKEN_CHECKOUT = """
from paychaos.reference_app.adapter import ReferenceAppAdapter


class BrokenCheckout(ReferenceAppAdapter):
    '''The reference app, except that its checkout always fails (as a buggy app's would).'''

    def create_checkout(self, company_id, plan_id):
        raise RuntimeError("HTTP 500 from /payments/checkout/")
"""


def _pyproject(folder, body: str) -> None:
    (folder / "pyproject.toml").write_text(textwrap.dedent(body))


def test_the_flag_wins_over_the_environment_which_wins_over_pyproject(tmp_path, monkeypatch):
    _pyproject(
        tmp_path, '[tool.paychaos]\napp = "from.pyproject:Adapter"\npython = "venv/bin/python"\n'
    )
    (tmp_path / "sub").mkdir()
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    found = find_config(start=tmp_path / "sub")  # the nearest pyproject above counts
    assert found.spec == "from.pyproject:Adapter"
    assert found.python == str(tmp_path / "venv" / "bin" / "python")
    monkeypatch.setenv("PAYCHAOS_APP", "from.env:Adapter")
    assert find_config(start=tmp_path).spec == "from.env:Adapter"
    assert find_config("from.flag:Adapter", start=tmp_path).spec == "from.flag:Adapter"


def test_a_venv_python_keeps_its_symlink(tmp_path, monkeypatch):
    """A venv's bin/python links to the base interpreter; resolving it would lose the venv."""
    (tmp_path / "app").mkdir()
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(sys.executable)
    _pyproject(tmp_path / "app", '[tool.paychaos]\napp = "a:B"\npython = "../venv/bin/python"\n')
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    found = find_config(start=tmp_path / "app")
    assert found.python == str(tmp_path / "venv" / "bin" / "python")


def test_nothing_configured_is_said_so(tmp_path, monkeypatch):
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    found = find_config(start=tmp_path)
    assert found.spec is None and found.source == "nothing"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.paychaos]\napp = 3\n", "must be a string"),
        ('[tool.paychaos]\napp = "a:B"\nport = 1\n', "unknown key 'port'"),
        ("[tool.paychaos\n", "cannot be read as TOML"),
    ],
)
def test_a_bad_pyproject_is_refused_with_what_to_write(tmp_path, monkeypatch, body, message):
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    _pyproject(tmp_path, body)
    with pytest.raises(ConfigError, match=message):
        find_config(start=tmp_path)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon", "is not 'module:Class'"),
        ("no_such_module_anywhere:Thing", "no module named 'no_such_module_anywhere'"),
        ("paychaos.errors:ConfigError", "is not an AppAdapter subclass"),
    ],
)
def test_an_app_that_cannot_be_loaded_is_refused(spec, message):
    with pytest.raises(ConfigError, match=message):
        load_adapter(find_config(spec))


def test_the_reference_app_loads_by_its_name():
    adapter = load_adapter(find_config(REFERENCE_APP))
    assert type(adapter).__name__ == "ReferenceAppAdapter"


def test_the_cli_refuses_an_unknown_app_with_exit_2(tmp_path):
    out = paychaos("run", "forged-webhook", "--app", "nowhere:Nothing", cwd=tmp_path, timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "no module named 'nowhere'" in out.stderr and "Traceback" not in out.stderr


def test_an_app_whose_checkout_always_fails_is_never_kept(tmp_path):
    """The customer cannot buy: nothing the scenario meant to test happened. That is a finding
    (exit 5, "not exercised" with the app's error), never "kept"."""
    (tmp_path / "broken_checkout.py").write_text(BROKEN_CHECKOUT)
    out = paychaos(
        "run", "webhook-dropped", "--app", "broken_checkout:BrokenCheckout", cwd=tmp_path
    )
    text = out.stdout + out.stderr
    assert out.returncode == 5, text
    assert "not exercised" in text and "could not check out" in text, text
    assert "HTTP 500 from /payments/checkout/" in text
    accepted = paychaos(
        "run", "webhook-dropped", "--app", "broken_checkout:BrokenCheckout",
        "--accept-not-exercised", cwd=tmp_path,
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "not exercised" in accepted.stdout  # still said, only not failed


def test_an_app_whose_sign_up_fails_is_not_exercised_and_says_why(tmp_path):
    """Signing the company up is the app's own endpoint too: a timeout there is the customer
    not reaching Stripe, said as such, not a traceback."""
    (tmp_path / "broken_signup.py").write_text(
        BROKEN_CHECKOUT.replace("BrokenCheckout", "BrokenSignup")
        .replace(
            "def create_checkout(self, company_id, plan_id):", "def create_company(self, name):"
        )
        .replace("/payments/checkout/", "/accounts/signup/ (read timed out)")
    )
    out = paychaos("run", "webhook-dropped", "--app", "broken_signup:BrokenSignup", cwd=tmp_path)
    text = out.stdout + out.stderr
    assert out.returncode == 5, text
    assert "could not check out" in text and "/accounts/signup/ (read timed out)" in text
    assert "Traceback" not in text


def test_with_no_app_configured_the_cli_says_it_tests_the_reference_app(tmp_path):
    out = paychaos("run", "forged-webhook", cwd=tmp_path)
    assert out.stderr.splitlines()[0].startswith("paychaos: no app configured"), out.stderr
    assert "reference app" in out.stderr.splitlines()[0]


def test_the_plugin_fails_paychaos_env_when_no_app_is_configured(tmp_path):
    (tmp_path / "test_mine.py").write_text("def test_it(paychaos_env):\n    pass\n")
    env = {**PLAIN_ENV, "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, check=False, env=env,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "no app under test is configured" in run.stdout, run.stdout
    assert "[tool.paychaos]" in run.stdout


def test_variants_belong_to_the_reference_app(tmp_path):
    (tmp_path / "broken_checkout.py").write_text(BROKEN_CHECKOUT.replace(
        "from paychaos.reference_app.adapter import ReferenceAppAdapter",
        "from paychaos.app import AppAdapter as ReferenceAppAdapter",
    ))  # fmt: skip
    out = paychaos(
        "run", "--variant", "seed_fix", "--app", "broken_checkout:BrokenCheckout",
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    assert "variants are the reference app's" in out.stderr


def test_two_projects_with_an_adapter_module_of_the_same_name_each_get_their_own(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    for shop in ("one", "two"):
        folder = tmp_path / shop
        folder.mkdir()
        _pyproject(folder, f'[tool.paychaos]\napp = "adapter:{shop.title()}"\n')
        (folder / "adapter.py").write_text(
            BROKEN_CHECKOUT.replace("class BrokenCheckout", f"class {shop.title()}")
        )
    monkeypatch.delitem(sys.modules, "adapter", raising=False)
    first = load_adapter(find_config(start=tmp_path / "one"))
    second = load_adapter(find_config(start=tmp_path / "two"))
    assert (type(first).__name__, type(second).__name__) == ("One", "Two")


PROJECT_SCENARIOS = """
from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIOS = (
    Scenario(
        name="buys-twice",
        story="A company pays twice for the same plan.",
        steps=(s.checkout("s1"), s.pay("s1"), s.deliver(), s.validate("s1")),
    ),
)
"""


def test_the_projects_own_scenarios_join_the_catalog(tmp_path, monkeypatch):
    from paychaos.cli.compose import named_scenarios, scenario_named

    monkeypatch.delenv("PAYCHAOS_APP", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "mine.py").write_text(PROJECT_SCENARIOS)
    _pyproject(
        tmp_path, f'[tool.paychaos]\napp = "{REFERENCE_APP}"\nscenarios = ["checks/mine.py"]\n'
    )
    catalog = named_scenarios()
    assert list(catalog)[-1] == "buys-twice"
    assert "redis-down-during-webhook" in catalog  # the catalog's own stay, first
    assert scenario_named("buys-twice").steps[0].do == "checkout"
    listed = paychaos("scenarios", cwd=tmp_path, env={**PLAIN_ENV, "PYTHONPATH": ""})
    assert listed.returncode == 0 and "buys-twice" in listed.stdout


@pytest.mark.parametrize(
    ("files", "body", "message"),
    [
        ('["nope.py"]', None, "nope.py does not exist"),
        ('"mine.py"', None, "must be a list of file paths"),
        ('["mine.py"]', "SCENARIOS = 3\n", "must define SCENARIOS"),
        ('["mine.py"]', "import no_such_module_here\n", "failed to load: ModuleNotFoundError"),
        (
            '["mine.py"]',
            PROJECT_SCENARIOS.replace("buys-twice", "redis-down-during-webhook"),
            "is named like another",
        ),
    ],
)
def test_bad_project_scenarios_exit_2_before_anything_starts(tmp_path, files, body, message):
    if body is not None:
        (tmp_path / "mine.py").write_text(body)
    _pyproject(tmp_path, f'[tool.paychaos]\napp = "{REFERENCE_APP}"\nscenarios = {files}\n')
    done = paychaos("run", cwd=tmp_path, env={**PLAIN_ENV, "PYTHONPATH": ""})
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in " ".join((done.stdout + done.stderr).split())
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "paychaos-results").exists()  # refused before any work
