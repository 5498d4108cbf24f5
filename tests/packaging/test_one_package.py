"""paychaos installs beside any app: one top-level name, an engine free of the app's stack,
a failpoint module an app can import with nothing else, and a plugin that never breaks a suite."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "harness"
# The composition roots: the only parts of the package that may choose content. The failpoint
# module is the app's side (it mounts a Django view inside the app under test, lazily).
COMPOSITION_ROOTS = ("cli", "testing", "failpoints.py")
CONTENT = ("paychaos.scenarios", "paychaos.fixtures", "paychaos.reference_app")
APP_STACK = ("django", "rest_framework", "channels", "channels_redis", "uvicorn", "stripe", "redis")


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd or ROOT / "tests",
        check=False,
    )


def _imports(path: Path) -> list[str]:
    """Every module name ``path`` imports, lazily inside functions too."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_no_engine_module_imports_scenarios_fixtures_or_the_reference_app():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        part = path.relative_to(ENGINE).parts[0]
        if part in COMPOSITION_ROOTS:
            continue
        for name in _imports(path):
            if name.startswith(CONTENT) or name.split(".")[0] in APP_STACK:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_the_cli_runner_plugin_and_emulator_load_without_the_apps_stack():
    out = _python(
        f"""
        import sys
        import paychaos.cli, paychaos.cli.compose, paychaos.runner, paychaos.pytest_plugin
        import paychaos.stripe_emulator, paychaos.environment, paychaos.explore
        import paychaos.mutants, paychaos.report, paychaos.replay, paychaos.nemesis
        from paychaos.cli import app
        loaded = sorted(
            m for m in sys.modules
            if m.split(".")[0] in {APP_STACK!r} or m.startswith({CONTENT!r})
        )
        assert not loaded, loaded
        print("clean")
        """
    )
    assert out.returncode == 0 and "clean" in out.stdout, out.stdout + out.stderr


def test_loading_the_pytest_plugin_imports_nothing_of_the_engine():
    out = _python(
        """
        import sys
        import paychaos.pytest_plugin
        heavy = sorted(
            m for m in sys.modules
            if m.startswith("paychaos.")
            and not m.startswith(("paychaos.pytest_plugin", "paychaos.testing"))
        )
        assert not heavy, heavy
        print("light")
        """
    )
    assert out.returncode == 0 and "light" in out.stdout, out.stdout + out.stderr


def test_every_plugin_fixture_carries_the_paychaos_prefix():
    import paychaos.pytest_plugin as plugin

    fixtures = [
        name
        for name in dir(plugin)
        if hasattr(getattr(plugin, name), "_pytestfixturefunction")
        or type(getattr(plugin, name)).__name__ == "FixtureFunctionDefinition"
    ]
    assert fixtures, "the plugin exports no fixture"
    assert all(name.startswith("paychaos_") for name in fixtures), fixtures


def test_the_failpoint_module_needs_only_the_standard_library():
    """An app imports ``paychaos.failpoints`` from its own venv, where none of paychaos's
    dependencies may be installed: any import outside the standard library fails here."""
    out = _python(
        """
        import sys
        class NoThirdParty:
            def find_spec(self, name, path=None, target=None):
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("paychaos", "_paychaos"):
                    if not top.startswith("__editable__"):
                        raise ImportError(f"third-party import: {name}")
                return None
        sys.meta_path.insert(0, NoThirdParty())
        from paychaos.failpoints import failpoint, set_failpoint, failpoint_hits
        set_failpoint("fulfill.before_insert", "off")
        failpoint("fulfill.before_insert")
        assert failpoint_hits("fulfill.before_insert") == 1
        print("stdlib only")
        """
    )
    assert out.returncode == 0 and "stdlib only" in out.stdout, out.stdout + out.stderr


def test_a_project_with_its_own_harness_scenarios_and_fixtures_folders_keeps_its_suite(tmp_path):
    """A Django project's folders shadow nothing of paychaos, and the plugin's fixtures are there."""
    for folder in ("harness", "scenarios", "fixtures", "shop"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text(f"OWNER = 'the project: {folder}'\n")
    (tmp_path / "shop" / "settings.py").write_text(
        "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth']\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
        "USE_TZ = True\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_own.py").write_text(
        textwrap.dedent(
            """
            import fixtures, harness, scenarios

            def test_the_projects_own_packages_are_its_own(settings):
                assert "django.contrib.auth" in settings.INSTALLED_APPS  # pytest-django's
                assert fixtures.OWNER == "the project: fixtures"
                assert harness.OWNER == "the project: harness"
                assert scenarios.OWNER == "the project: scenarios"

            def test_the_plugin_fixture_is_there(paychaos_emulator):
                assert paychaos_emulator.url.startswith("http://127.0.0.1:")
            """
        )
    )
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\npythonpath = .\nDJANGO_SETTINGS_MODULE = shop.settings\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout, run.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--fixtures", "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert "paychaos_env" in listed.stdout and "paychaos_run" in listed.stdout, listed.stdout
    off = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:paychaos", "-p", "no:cacheprovider",
         "tests/test_own.py::test_the_projects_own_packages_are_its_own"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert off.returncode == 0, off.stdout + off.stderr


@pytest.mark.slow
def test_the_wheel_installs_one_top_level_package_beside_pypis_fixtures(tmp_path):
    """A venv that already holds PyPI's ``fixtures`` and ``testtools`` keeps them working."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = wheels.glob("paychaos-*.whl")
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for data in (
        "paychaos/stripe_emulator/contract/data/versions.json",
        "paychaos/reference_app/payments/templates/payments/success.html",
    ):
        assert data in names, f"{data} is not in the wheel"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "fixtures", "testtools"], check=True, capture_output=True, timeout=300)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300)
    ok = subprocess.run(
        [str(py), "-c", "import fixtures; fixtures.Fixture; import paychaos.failpoints"],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    shown = subprocess.run(
        [str(py), "-m", "pip", "show", "-f", "paychaos"],
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    files = [line.strip() for line in shown.split("Files:", 1)[1].splitlines() if line.strip()]
    tops = {f.split("/")[0] for f in files if not f.startswith(("..", "paychaos-"))}
    assert tops == {"paychaos"}, tops


def test_the_engine_loads_without_playwright_and_browser_mode_says_what_to_install():
    """Playwright is optional: only ``--browser`` needs it, and says how to get it."""
    out = _python(
        """
        import sys
        sys.modules["playwright"] = None  # as if not installed
        import paychaos.environment, paychaos.runner, paychaos.browser, paychaos.cli
        from paychaos.browser import CustomerBrowser
        from paychaos.errors import ConfigError
        try:
            CustomerBrowser().start()
        except ConfigError as exc:
            print(exc, "|", exc.hint)
        """
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "pip install playwright" in out.stdout, out.stdout
    assert "apt-get install chromium" in out.stdout, out.stdout
