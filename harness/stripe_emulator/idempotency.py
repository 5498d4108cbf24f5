"""``Idempotency-Key`` as Stripe implements it.

POST only. The first response (status and body, a 500 included) is stored once
the endpoint starts executing and replayed for the same key; the same key with
other parameters is a 400 ``idempotency_error``; a twin arriving while the first
is still running gets a 409 and nothing is stored for it; a request that fails
validation stores nothing; keys expire after 24 hours of emulator time.
"""

from __future__ import annotations

from dataclasses import dataclass

from paychaos.stripe_emulator.errors import StripeApiError, invalid
from paychaos.stripe_emulator.http_server import HttpResponse

KEY_LIFETIME = 24 * 3600
MAX_KEY_LENGTH = 255


@dataclass
class IdempotentRequest:
    """One key's record: what it was first used for and, once finished, the response."""

    key: str
    fingerprint: str
    created_at: int
    response: HttpResponse | None = None  # None while the first request is in flight


class IdempotencyStore:
    """Keys seen by one emulator (cleared by reset)."""

    def __init__(self) -> None:
        self.entries: dict[str, IdempotentRequest] = {}

    def begin(self, key: str, fingerprint: str, now: int) -> IdempotentRequest | HttpResponse:
        """Start a request with ``key``: a new record, or the stored response to replay.

        Raises the 400 (other parameters) or 409 (twin in flight) Stripe answers.
        """
        if len(key) > MAX_KEY_LENGTH:
            raise invalid(
                f"Idempotency keys can be at most {MAX_KEY_LENGTH} characters long.",
                param="Idempotency-Key",
            )
        entry = self.entries.get(key)
        if entry is not None and now - entry.created_at >= KEY_LIFETIME:
            del self.entries[key]
            entry = None
        if entry is None:
            entry = IdempotentRequest(key, fingerprint, now)
            self.entries[key] = entry
            return entry
        if entry.fingerprint != fingerprint:
            raise StripeApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            )
        if entry.response is None:
            raise StripeApiError(
                409,
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                "going through): " + key + ". Please try again later.",
                type="idempotency_error",
                code="idempotency_key_in_use",
            )
        stored = entry.response
        return HttpResponse(
            stored.status,
            stored.body,
            [*stored.headers, ("Idempotent-Replayed", "true")],
            stored.content_type,
        )

    def finish(self, entry: IdempotentRequest, response: HttpResponse) -> None:
        """Store the first response for the key."""
        if self.entries.get(entry.key) is entry:
            entry.response = response

    def release(self, entry: IdempotentRequest) -> None:
        """Forget a key whose request never ran (the client went away first)."""
        if self.entries.get(entry.key) is entry and entry.response is None:
            del self.entries[entry.key]
