"""Which Toxiproxy API the harness talks to: a real one by URL, or an embedded one.

Both are reached the same way, over HTTP through ``Faults``; the only
difference is who started the server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from paychaos.faults.client import Faults
from paychaos.faults.nemesis import Recorder
from paychaos.faults.server import FaultProxyServer

TOXIPROXY_URL_ENV = "PAYCHAOS_TOXIPROXY_URL"


@contextmanager
def open_faults(
    *, seed: int = 0, recorder: Recorder | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Faults]:
    """``Faults`` for a real Toxiproxy when ``PAYCHAOS_TOXIPROXY_URL`` is set, else an embedded one.

    >>> with open_faults(seed=1) as faults:
    ...     redis = faults.proxy("redis", upstream="127.0.0.1:6379")

    On exit the proxies created here are deleted and an embedded server is stopped.
    """
    url = (env if env is not None else os.environ).get(TOXIPROXY_URL_ENV, "").strip()
    if url:
        with Faults(url, recorder=recorder) as faults:
            faults.version()  # fail early, with a clear message, when nothing answers
            yield faults
        return
    with FaultProxyServer(seed=seed) as server, Faults(server.url, recorder=recorder) as faults:
        yield faults
