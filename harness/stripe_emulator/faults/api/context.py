"""What an API fault can do with the request it hit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from paychaos.stripe_emulator.http_server import HttpResponse


@dataclass
class ApiCallContext:
    """Hooks into the request being faulted.

    ``execute()`` runs the endpoint and stores its response under the idempotency key;
    ``store(response)`` stores another response instead; ``release()`` forgets the key
    when the endpoint never ran.
    """

    request_id: str
    execute: Callable[[bool], HttpResponse]
    store: Callable[[HttpResponse], None]
    release: Callable[[], None]
