"""The paychaos pytest plugin (loaded through the ``pytest11`` entry point).

Hooks and options live here; fixtures live in ``harness.testing.*`` and are
re-exported below so pytest discovers them.
"""

from __future__ import annotations

from harness.testing.app import *  # noqa: F403
from harness.testing.emulator import *  # noqa: F403
from harness.testing.proxy import *  # noqa: F403
from harness.testing.services import *  # noqa: F403
