"""The ASGI entry point: ``python -m uvicorn paychaos.reference_app.asgi:application``.

HTTP goes to Django, websockets to the company notification consumer.
Configuration is checked before Django loads (one line on stderr, exit 2).
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paychaos.reference_app.settings")

from paychaos.reference_app.config import load_config_or_exit

load_config_or_exit(os.environ)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from paychaos.reference_app.payments.failpoint_control import with_failpoint_control_if_enabled  # noqa: E402
from paychaos.reference_app.payments.routing import websocket_urlpatterns  # noqa: E402
from paychaos.reference_app.payments.variants.registry import active_variant  # noqa: E402

active_variant().on_startup()

application = ProtocolTypeRouter(
    {
        "http": with_failpoint_control_if_enabled(django_asgi_app),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
