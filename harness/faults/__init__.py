"""Network faults: a Toxiproxy-compatible proxy (embedded or real) and the harness API over it.

>>> from paychaos.faults import FaultProxyServer, Faults
>>> with FaultProxyServer(seed=0) as server:
...     faults = Faults(server.url)
...     redis = faults.proxy("redis", upstream="127.0.0.1:6379")
...     with redis.down():
...         ...  # connections to redis.listen_port are refused
"""

from paychaos.faults.client import Fault, Faults, ProxyHandle, ToxiproxyError
from paychaos.faults.nemesis import NemesisOp, Recorder
from paychaos.faults.selection import TOXIPROXY_URL_ENV, open_faults
from paychaos.faults.server import FaultProxyServer

__all__ = [
    "TOXIPROXY_URL_ENV",
    "Fault",
    "FaultProxyServer",
    "Faults",
    "NemesisOp",
    "ProxyHandle",
    "Recorder",
    "ToxiproxyError",
    "open_faults",
]
