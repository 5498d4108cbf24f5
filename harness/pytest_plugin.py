"""The paychaos pytest plugin (loaded through the ``pytest11`` entry point).

Hooks and options live here; fixtures live in ``paychaos.testing.*`` and are
re-exported below so pytest discovers them.
"""

from __future__ import annotations

from paychaos.testing.app import *  # noqa: F403
from paychaos.testing.emulator import *  # noqa: F403
from paychaos.testing.proxy import *  # noqa: F403
from paychaos.testing.services import *  # noqa: F403
