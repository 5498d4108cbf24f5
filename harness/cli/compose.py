"""The composition root: what the CLI and the pytest plugin hand the engine.

The engine (environment, runner, checkers, exploration, report) never imports the
scenarios, the schedule strategies' users or the reference app; this module is the one
place that chooses them: the app under test, the named scenarios, the variants.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from paychaos.errors import ConfigError

if TYPE_CHECKING:
    from paychaos.environment import Environment
    from paychaos.schedule import Scenario

# The reference app's variants that ``--variant all`` runs (mutants are for ``paychaos mutants``).
SEED_VARIANTS = ("correct", "seed_original", "seed_fix")


def open_environment(
    variant: str = "correct",
    seed: int = 0,
    app: str | None = None,
    *,
    browser: bool = False,
    quiet: bool = False,
) -> Environment:
    """An environment (not yet started) around the app under test: ``--app``,
    ``PAYCHAOS_APP``, ``[tool.paychaos]``, else paychaos's own reference app, said on stderr
    first so nobody mistakes its verdict for their app's. ``browser``: validate through the
    app's success page in headless Chromium (``--browser``). ``quiet``: say nothing (a worker
    process of ``--workers``, whose parent said it already)."""
    from paychaos.app.config import APP_ENV, find_config, load_adapter
    from paychaos.environment import Environment, EnvironmentOptions
    from paychaos.stripe_emulator.config import seed_problem

    problem = seed_problem(seed)
    if problem:
        raise ConfigError(f"--seed {seed!r}: {problem}", hint="e.g. --seed 0")
    config = find_config(app)
    if variant != "correct" and not config.is_reference:
        raise ConfigError(
            f"--variant {variant}: variants are the reference app's, not {config.spec}'s",
            hint="leave --variant out when you test your own app",
        )
    if config.spec is None and not quiet:
        print(
            f"paychaos: no app configured (--app, {APP_ENV} or [tool.paychaos] app in "
            "pyproject.toml): testing paychaos's own reference app",
            file=sys.stderr,
            flush=True,
        )
    adapter = load_adapter(config)
    return Environment(
        EnvironmentOptions(variant=variant, seed=seed, browser=browser), adapter=adapter
    )


def named_scenarios(app: str | None = None) -> dict[str, Scenario]:
    """Every named scenario, by name: paychaos's catalog, then the project's own
    (``[tool.paychaos] scenarios``). A project scenario named like another is a ConfigError."""
    from paychaos.app.config import find_config, load_project_scenarios
    from paychaos.scenarios import all_scenarios

    found = all_scenarios()
    config = find_config(app)
    for scenario in load_project_scenarios(config):
        if scenario.name in found:
            raise ConfigError(
                f"scenario {scenario.name!r} from [tool.paychaos] scenarios ({config.source}) "
                "is named like another",
                hint="give each of your scenarios a name of its own (`paychaos scenarios`)",
            )
        found[scenario.name] = scenario
    return found


def scenario_named(name: str, app: str | None = None) -> Scenario:
    """One named scenario; a ConfigError listing the names when there is none by that name."""
    known = named_scenarios(app)
    if name not in known:
        raise ConfigError(
            f"unknown scenario {name!r}",
            hint="`paychaos scenarios` lists them: " + ", ".join(known),
        )
    return known[name]


def variant_names() -> tuple[str, ...]:
    """Every variant of the reference app (``correct``, the seeds, ``mutant:M1``...)."""
    from paychaos.reference_app.payments.variants.names import VARIANT_NAMES

    return tuple(VARIANT_NAMES)


def mutant_ids() -> list[str]:
    """Every mutant id of the reference app (``M1`` ...), in registry order."""
    return [v.split(":", 1)[1] for v in variant_names() if v.startswith("mutant:")]


def parse_variants(spec: str) -> list[str]:
    """``"all"`` or a comma-separated list of variants; unknown names are a ConfigError."""
    if spec == "all":
        return list(SEED_VARIANTS)
    chosen = [v.strip() for v in spec.split(",") if v.strip()]
    known = variant_names()
    for variant in chosen:
        if variant not in known:
            raise ConfigError(
                f"unknown variant {variant!r}", hint="one of: all, " + ", ".join(known)
            )
    if not chosen:
        raise ConfigError("--variant names no variant", hint="one of: all, " + ", ".join(known))
    return chosen
