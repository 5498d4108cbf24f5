"""Which app is under test: ``--app module:Class``, ``PAYCHAOS_APP``, or ``[tool.paychaos]``.

The first that says something wins, in that order. ``[tool.paychaos]`` lives in the
``pyproject.toml`` of the current folder or the nearest folder above it::

    [tool.paychaos]
    app = "shop_paychaos.adapter:ShopAdapter"   # an AppAdapter subclass
    python = ".venv-shop/bin/python"            # the app's own interpreter (optional)
    scenarios = ["paychaos_scenarios.py"]       # the project's own scenarios (optional)

A scenarios file is plain Python that defines ``SCENARIOS``, a sequence of
``paychaos.schedule.Scenario``; ``paychaos run`` runs them after the named catalog's, by name
like any other (``paychaos run my-scenario``).

``python`` is handed to the adapter, which starts the app's server under it, so the app keeps
its own Django and stripe-python. paychaos imports the adapter, never the app.
"""

from __future__ import annotations

import importlib
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paychaos.errors import ConfigError

APP_ENV = "PAYCHAOS_APP"
REFERENCE_APP = "paychaos.reference_app.adapter:ReferenceAppAdapter"


@dataclass(frozen=True)
class AppConfig:
    """The app under test as configured, and where that was said."""

    spec: str | None  # "module:Class", or None when nothing names an app
    source: str  # "--app", "PAYCHAOS_APP", a pyproject.toml path, or "nothing"
    python: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    root: Path | None = None  # the folder relative paths in the config are relative to
    scenario_files: tuple[Path, ...] = ()  # the project's own scenarios (``scenarios = [...]``)

    @property
    def is_reference(self) -> bool:
        return self.spec in (None, REFERENCE_APP)


def find_config(cli_app: str | None = None, start: Path | None = None) -> AppConfig:
    """The app configuration in force for a command run in ``start`` (default: cwd)."""
    if cli_app:
        return AppConfig(cli_app, "--app", root=Path.cwd())
    if os.environ.get(APP_ENV, "").strip():
        return AppConfig(os.environ[APP_ENV].strip(), APP_ENV, root=Path.cwd())
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"{pyproject} cannot be read as TOML ({exc})", hint="fix the file's syntax"
            ) from None
        section = data.get("tool", {}).get("paychaos")
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(f"[tool.paychaos] in {pyproject} must be a table")
        spec = section.get("app")
        if spec is not None and not isinstance(spec, str):
            raise ConfigError(
                f"[tool.paychaos] app in {pyproject} must be a string 'module:Class'",
                hint='e.g. app = "shop_paychaos.adapter:ShopAdapter"',
            )
        python = section.get("python")
        unknown = sorted(set(section) - {"app", "python", "settings", "scenarios"})
        if unknown:
            raise ConfigError(
                f"[tool.paychaos] in {pyproject}: unknown key {unknown[0]!r}",
                hint="the keys are app, python, settings and scenarios",
            )
        files = section.get("scenarios", [])
        if not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
            raise ConfigError(
                f"[tool.paychaos] scenarios in {pyproject} must be a list of file paths",
                hint='e.g. scenarios = ["paychaos_scenarios.py"]',
            )
        return AppConfig(
            spec,
            str(pyproject),
            # Not resolved: a venv's python is a symlink, and following it leaves the venv.
            python=os.path.abspath(folder / python) if isinstance(python, str) else None,
            settings=dict(section.get("settings") or {}),
            root=folder,
            scenario_files=tuple(folder / f for f in files),
        )
    return AppConfig(None, "nothing")


def load_adapter(config: AppConfig) -> Any:
    """Import the adapter class the config names and build it (``python``/``settings`` passed
    when its constructor takes them). A ConfigError says what is wrong and what to write."""
    from paychaos.app import AppAdapter

    spec = config.spec or REFERENCE_APP
    module_name, sep, class_name = spec.partition(":")
    if not sep or not module_name or not class_name:
        raise ConfigError(
            f"app {spec!r} (from {config.source}) is not 'module:Class'",
            hint="e.g. --app shop_paychaos.adapter:ShopAdapter",
        )
    if config.root is not None and str(config.root) not in sys.path:
        sys.path.insert(0, str(config.root))  # the user's adapter module sits in their project
    _forget_if_from_elsewhere(module_name, config.root)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"app {spec!r} (from {config.source}): no module named {exc.name!r}",
            hint="run paychaos from your project's folder, or put the adapter on PYTHONPATH",
        ) from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, AppAdapter)):
        raise ConfigError(
            f"app {spec!r} (from {config.source}): {class_name!r} is not an AppAdapter subclass "
            f"in {module_name}",
            hint="subclass paychaos.app.AppAdapter; see docs/adapter.md",
        )
    kwargs: dict[str, Any] = {}
    import inspect

    params = inspect.signature(cls).parameters
    if config.python and "python" in params:
        kwargs["python"] = config.python
    if config.settings and "settings" in params:
        kwargs["settings"] = config.settings
    if config.root is not None and not config.is_reference and "project_dir" in params:
        kwargs["project_dir"] = config.root  # the app's server runs in its own project
    try:
        return cls(**kwargs)
    except TypeError as exc:  # abstract methods left out, a constructor that wants arguments
        raise ConfigError(
            f"app {spec!r} (from {config.source}): {class_name} cannot be built ({exc})",
            hint="implement every abstract method of AppAdapter; see docs/adapter.md",
        ) from None


def _forget_if_from_elsewhere(module_name: str, root: Path | None) -> None:
    """A module of that name already imported from another project (two configs in one
    process, e.g. a test suite over several apps) is not this project's adapter: import anew."""
    loaded = sys.modules.get(module_name)
    if root is None or loaded is None:
        return
    here = root.joinpath(*module_name.split("."))
    candidates = (here.with_suffix(".py"), here / "__init__.py")
    origin = Path(getattr(loaded, "__file__", "") or "")
    if any(c.is_file() for c in candidates) and origin not in candidates:
        if str(root) in sys.path:
            sys.path.remove(str(root))
        sys.path.insert(0, str(root))  # first, so the import finds this project's module
        del sys.modules[module_name]


def load_project_scenarios(config: AppConfig) -> list[Any]:
    """The scenarios of the project's own ``scenarios = [...]`` files, in file order. Each file
    defines ``SCENARIOS``, a sequence of Scenario; anything else is a ConfigError."""
    import importlib.util

    from paychaos.schedule import Scenario

    found: list[Scenario] = []
    for path in config.scenario_files:
        where = f"[tool.paychaos] scenarios (from {config.source}): {path}"
        if not path.is_file():
            raise ConfigError(
                f"{where} does not exist", hint="paths are relative to pyproject.toml"
            )
        name = f"paychaos_project_scenarios_{len(found)}_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ConfigError(f"{where} is not a Python file", hint="name it something.py")
        module = importlib.util.module_from_spec(spec)
        if config.root is not None and str(config.root) not in sys.path:
            sys.path.insert(0, str(config.root))
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # the user's file: say where it failed, not a traceback
            raise ConfigError(
                f"{where} failed to load: {type(exc).__name__}: {exc}",
                hint="run `python <file>` to see the whole error",
            ) from None
        scenarios = getattr(module, "SCENARIOS", None)
        if not isinstance(scenarios, list | tuple) or not all(
            isinstance(s, Scenario) for s in scenarios
        ):
            raise ConfigError(
                f"{where} must define SCENARIOS, a list or tuple of paychaos.schedule.Scenario",
                hint="see docs/adapter.md, 'Your own scenarios'",
            )
        found.extend(scenarios)
    return found
