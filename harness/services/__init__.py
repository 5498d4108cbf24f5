"""Postgres and Redis for a run: embedded (started and owned by paychaos) or external.

>>> from paychaos.services import start_services
>>> with start_services() as svc:
...     svc.postgres.url      # postgresql://paychaos_app:PASSWORD@127.0.0.1:PORT/paychaos
...     svc.postgres.admin_url  # the superuser, for the harness only
...     svc.redis.url         # redis://:PASSWORD@127.0.0.1:PORT/0
...     svc.redis.restart()   # process faults: pause/resume, kill/start, restart
...     svc.postgres.terminate_backends()

Environment: ``PAYCHAOS_DATABASE_URL`` / ``PAYCHAOS_REDIS_URL`` (external
servers), ``PAYCHAOS_PG_BIN`` / ``PAYCHAOS_REDIS_SERVER`` (other binaries),
``PAYCHAOS_PG_USER`` (the account Postgres runs as under root),
``PAYCHAOS_CACHE_DIR`` (initdb template cache), ``PAYCHAOS_STATE_DIR`` (pid files).
"""

from paychaos.services.lifecycle import Services, start_services
from paychaos.services.postgres_service import PostgresService
from paychaos.services.process import ManagedProcess, ProcessSpec
from paychaos.services.redis_service import RedisService

__all__ = [
    "ManagedProcess",
    "PostgresService",
    "ProcessSpec",
    "RedisService",
    "Services",
    "start_services",
]
