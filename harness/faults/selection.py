"""Which Toxiproxy API the harness talks to: a real one by URL, or an embedded one.

Both are reached the same way, over HTTP through ``Faults``; the only
difference is who started the server.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from paychaos.faults.client import Faults
from paychaos.faults.nemesis import Recorder
from paychaos.faults.server import FaultProxyServer

TOXIPROXY_URL_ENV = "PAYCHAOS_TOXIPROXY_URL"
#: The token of a ``paychaos proxy --token`` named by PAYCHAOS_TOXIPROXY_URL (a real
#: Toxiproxy takes none).
TOXIPROXY_TOKEN_ENV = "PAYCHAOS_TOXIPROXY_TOKEN"


@contextmanager
def open_faults(
    *, seed: int = 0, recorder: Recorder | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Faults]:
    """``Faults`` for a real Toxiproxy when ``PAYCHAOS_TOXIPROXY_URL`` is set, else an embedded one.

    >>> with open_faults(seed=1) as faults:
    ...     redis = faults.proxy("redis", upstream="127.0.0.1:6379")

    On exit the proxies created here are deleted and an embedded server is stopped. The
    embedded server demands a fresh random token, which only this ``Faults`` holds.
    """
    env = env if env is not None else os.environ
    url = env.get(TOXIPROXY_URL_ENV, "").strip()
    if url:
        token = env.get(TOXIPROXY_TOKEN_ENV, "").strip() or None
        with Faults(url, recorder=recorder, token=token) as faults:
            faults.version()  # fail early, with a clear message, when nothing answers
            yield faults
        return
    token = secrets.token_urlsafe(32)
    with (
        FaultProxyServer(seed=seed, token=token) as server,
        Faults(server.url, recorder=recorder, token=token) as faults,
    ):
        yield faults
