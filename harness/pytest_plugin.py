"""The paychaos pytest plugin (loaded through the ``pytest11`` entry point).

Loading it imports nothing of the engine and nothing of your project, so it can neither
slow nor break a suite that does not use it; every fixture it adds is named ``paychaos_*``.
The fixtures live in ``paychaos.testing.*`` and are re-exported here so pytest finds them.
Turn the plugin off with ``pytest -p no:paychaos``.
"""

from __future__ import annotations

from typing import Any

from paychaos.testing.app import *  # noqa: F403
from paychaos.testing.emulator import *  # noqa: F403
from paychaos.testing.proxy import *  # noqa: F403
from paychaos.testing.services import *  # noqa: F403


def pytest_addoption(parser: Any) -> None:
    parser.addini(
        "paychaos_app",
        "The app under test for paychaos_env, as module:Class (else PAYCHAOS_APP, then "
        "[tool.paychaos] app in pyproject.toml).",
        default=None,
    )
    parser.addini(
        "paychaos_browser",
        "paychaos_env validates through the app's success page in headless Chromium, as "
        "`paychaos run --browser` does.",
        type="bool",
        default=False,
    )
    parser.addoption(
        "--paychaos-browser",
        action="store_true",
        default=False,
        help="paychaos_env validates through the app's success page in headless Chromium "
        "(as the paychaos_browser ini option).",
    )
