"""pytest fixtures for the whole environment and the app under test.

``paychaos_env`` (session): real Postgres, Redis, the Stripe emulator, the
fault proxies and the reference app server, started once.
``paychaos_run`` (function): run a scenario (or a list of steps) against a
variant and get the verdict.

    def test_redis_outage_is_survived(paychaos_run):
        result = paychaos_run("redis-down-during-webhook")
        assert result.kept, result.violations
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

__all__ = ["paychaos_env", "paychaos_run"]


@pytest.fixture(scope="session")
def paychaos_env(request: pytest.FixtureRequest) -> Iterator[object]:
    """The whole environment around the configured app, started once per test session.

    The app comes from the ``paychaos_app`` ini option, ``PAYCHAOS_APP`` or ``[tool.paychaos]
    app``; with none of them the fixture fails and says how to configure one: it never tests
    paychaos's own reference app in your project's place.
    """
    from paychaos.app.config import APP_ENV, find_config
    from paychaos.cli.compose import open_environment

    spec = request.config.getini("paychaos_app") or None
    config = find_config(spec, start=request.config.rootpath)
    if config.spec is None:
        pytest.fail(
            "paychaos_env: no app under test is configured. Name your adapter in "
            'pyproject.toml ([tool.paychaos] app = "yourpkg.adapter:YourAdapter"), in the '
            f"paychaos_app ini option, or in {APP_ENV}; see docs/adapter.md",
            pytrace=False,
        )
    browser = bool(
        request.config.getoption("--paychaos-browser", default=False)
        or request.config.getini("paychaos_browser")
    )
    with open_environment(app=config.spec, browser=browser) as env:
        yield env


@pytest.fixture
def paychaos_run(paychaos_env) -> Callable[..., object]:
    """Run a named scenario, a ``Scenario`` or a list of steps; returns the ``RunResult``."""
    from paychaos.cli.compose import scenario_named
    from paychaos.runner import run_scenario
    from paychaos.schedule import Scenario, Step

    def run(
        what: str | Scenario | Sequence[Step], *, variant: str = "correct", seed: int = 0
    ) -> object:
        if isinstance(what, str):
            scenario = scenario_named(what)
        elif isinstance(what, Scenario):
            scenario = what
        else:
            scenario = Scenario(
                name="inline", story="A schedule written in a test.", steps=tuple(what)
            )
        paychaos_env.switch_variant(variant)
        return run_scenario(paychaos_env, scenario, seed=seed)

    return run
