"""Project-level pytest configuration: Hypothesis profiles for paychaos's own tests.

The fixtures come from the paychaos pytest plugin (``paychaos.pytest_plugin``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
settings.register_profile(
    "chaos",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("PAYCHAOS_HYPOTHESIS_PROFILE", "ci"))
