"""The webhook outbox: one pending delivery per (event, endpoint), retried on the emulator clock.

Every attempt is recorded. Retries wait on the emulator clock, which only moves
when advanced, so a three-day retry schedule runs in milliseconds of real time.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from harness.stripe_emulator.webhooks.http_post import post
from harness.stripe_emulator.webhooks.signing import signature_header

if TYPE_CHECKING:
    from harness.stripe_emulator.state import EmulatorState

WEBHOOK_HEADERS = {
    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    "Content-Type": "application/json; charset=utf-8",
    "Accept": "*/*; q=0.5, application/xml",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt to deliver one event to one endpoint."""

    event_id: str
    event_type: str
    endpoint_id: str
    url: str
    attempt: int
    status: int | None
    error: str | None
    delivered: bool
    latency_ms: float
    emulator_time: int
    wall_time: float
    signature_timestamp: int
    # Which delivery policy shaped this attempt, if any (see ``faults.delivery``).
    policy: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the control API."""
        return asdict(self)


@dataclass
class PendingDelivery:
    """The delivery state of one event to one endpoint."""

    seq: int
    event_id: str
    endpoint_id: str
    due_at: int
    attempts: int = 0
    state: str = "pending"  # pending | in_flight | delivered | gave_up


class Deliverer:
    """Queues, signs, sends and retries webhook deliveries for one emulator."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.pending: list[PendingDelivery] = []
        self.attempts: list[Attempt] = []
        self._seq = 0
        self._generation = 0
        self._tasks: set[asyncio.Future[Any]] = set()
        self._worker: asyncio.Task[Any] | None = None

    def reset(self) -> None:
        """Forget every queued delivery and recorded attempt; abandon attempts in flight."""
        self._generation += 1
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        self.pending = []
        self.attempts = []
        self._seq = 0

    # -- queueing -------------------------------------------------------------------------

    def enqueue(self, event: dict[str, Any], endpoint_ids: list[str]) -> None:
        """Queue ``event`` for each endpoint, due now; in auto mode start delivering."""
        now = self.state.clock.now()
        for endpoint_id in endpoint_ids:
            self._seq += 1
            self.pending.append(PendingDelivery(self._seq, event["id"], endpoint_id, due_at=now))
        if endpoint_ids:
            self.kick()

    def due_now(self) -> list[PendingDelivery]:
        """Deliveries waiting whose time has come, oldest first."""
        now = self.state.clock.now()
        return [p for p in self.pending if p.state == "pending" and p.due_at <= now]

    def next_due_at(self) -> int | None:
        """Emulator time of the earliest waiting delivery, or None when nothing waits."""
        waiting = [p.due_at for p in self.pending if p.state == "pending"]
        return min(waiting) if waiting else None

    def outstanding(self) -> int:
        """Deliveries neither delivered nor given up."""
        return sum(1 for p in self.pending if p.state in ("pending", "in_flight"))

    def kick(self) -> None:
        """In auto mode, deliver what is due in the background (as Stripe does)."""
        if self.state.delivery_mode != "auto":
            return
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._auto_worker())

    async def _auto_worker(self) -> None:
        while self.due_now():
            await self.deliver_due()

    # -- delivering -----------------------------------------------------------------------

    async def deliver_due(self) -> list[Attempt]:
        """Attempt every delivery that is due now; returns the attempts made.

        Deliveries to one endpoint go one after another in queue order (so a run
        is repeatable); different endpoints are served concurrently.
        """
        due = self.due_now()
        if not due:
            return []
        for p in due:
            p.state = "in_flight"
        by_endpoint: dict[str, list[PendingDelivery]] = {}
        for p in due:
            by_endpoint.setdefault(p.endpoint_id, []).append(p)
        made: list[Attempt] = []
        generation = self._generation

        async def run(queue: list[PendingDelivery]) -> None:
            for p in queue:
                attempt = await self._attempt(p, generation)
                if attempt is not None:
                    made.append(attempt)

        task = asyncio.ensure_future(asyncio.gather(*(run(q) for q in by_endpoint.values())))
        self._tasks.add(task)
        try:
            await task
        finally:
            self._tasks.discard(task)
        return made

    async def settle(self) -> None:
        """Wait until no attempt is in flight."""
        while self._tasks or (self._worker is not None and not self._worker.done()):
            pending = list(self._tasks)
            if self._worker is not None and not self._worker.done():
                pending.append(self._worker)
            await asyncio.gather(*pending, return_exceptions=True)

    async def drain(
        self, max_seconds: int | None = None, advance_clock: bool = True
    ) -> list[Attempt]:
        """Deliver everything due; with ``advance_clock``, also move the emulator clock
        through the retry schedule (at most ``max_seconds``) until every delivery
        succeeded or gave up. Returns every attempt made meanwhile.
        """
        start_index = len(self.attempts)
        start_time = self.state.clock.now()
        while True:
            await self.settle()
            await self.deliver_due()
            await self.settle()
            if self.due_now():
                continue
            next_due = self.next_due_at()
            if next_due is None or not advance_clock:
                break
            if max_seconds is not None and next_due - start_time > max_seconds:
                break
            self.state.advance_clock_to(next_due)
        return self.attempts[start_index:]

    async def _attempt(self, p: PendingDelivery, generation: int) -> Attempt | None:
        state = self.state
        event = state.store.find(p.event_id)
        endpoint = state.store.find(p.endpoint_id)
        secret = state.store.secrets.get(p.endpoint_id)
        if event is None or endpoint is None or secret is None:
            # The endpoint was deleted (or state reset): Stripe stops sending to it.
            p.state = "gave_up"
            return None
        p.attempts += 1
        timestamp = state.clock.now()
        payload = json.dumps(event, indent=2)
        headers = dict(WEBHOOK_HEADERS)
        headers["Stripe-Signature"] = signature_header(payload, [secret], timestamp)
        started = time.perf_counter()
        wall = time.time()
        result = await post(
            endpoint["url"], payload.encode(), headers, state.config.webhook_timeout
        )
        latency_ms = (time.perf_counter() - started) * 1000
        if generation != self._generation:
            return None
        delivered = result.status is not None and 200 <= result.status < 300
        attempt = Attempt(
            event_id=event["id"],
            event_type=event["type"],
            endpoint_id=endpoint["id"],
            url=endpoint["url"],
            attempt=p.attempts,
            status=result.status,
            error=result.error,
            delivered=delivered,
            latency_ms=round(latency_ms, 3),
            emulator_time=timestamp,
            wall_time=wall,
            signature_timestamp=timestamp,
        )
        self.attempts.append(attempt)
        if delivered:
            p.state = "delivered"
            event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
        else:
            delays = state.config.retry_delays
            if p.attempts <= len(delays):
                p.state = "pending"
                p.due_at = state.clock.now() + delays[p.attempts - 1]
            else:
                p.state = "gave_up"
        return attempt
