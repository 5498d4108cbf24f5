"""The webhook outbox: one pending delivery per (event, endpoint), retried on the emulator clock.

Every attempt is recorded. Retries wait on the emulator clock, which only moves
when advanced, so a three-day retry schedule runs in milliseconds of real time.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from paychaos.stripe_emulator.faults.delivery.plan import AttemptPlan
from paychaos.stripe_emulator.versions import render
from paychaos.stripe_emulator.webhooks.http_post import PostResult, post
from paychaos.stripe_emulator.webhooks.signing import signature_header

if TYPE_CHECKING:
    from paychaos.stripe_emulator.state import EmulatorState

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
    # Which delivery policy shaped this attempt, if any (see ``faults.delivery``), what it
    # did on purpose, whether the receiver must refuse it, and whether nothing was sent.
    policy: str | None = None
    tampering: str | None = None
    must_be_refused: bool = False
    dropped: bool = False
    # The start of the endpoint's answer when it was not 2xx (evidence for the report).
    response_body: str = ""

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
    # Delivery-policy bookkeeping: rules that already postponed this delivery (once each),
    # a hold (reorder) waiting for later deliveries, a captured request to re-send as is.
    postponed_by: set[str] = field(default_factory=set)
    hold_for: int | None = None
    hold_mark: int = 0
    replay: tuple[str, str] | None = None
    replay_of_attempt: int = 0


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
        self._sent_to: dict[str, int] = {}
        self._captured: dict[tuple[str, str], tuple[str, str]] = {}

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
        self._sent_to = {}
        self._captured = {}

    # -- queueing -------------------------------------------------------------------------

    def enqueue(self, event: dict[str, Any], endpoint_ids: list[str]) -> None:
        """Queue ``event`` for each endpoint, due now; in auto mode start delivering."""
        now = self.state.clock.now()
        for endpoint_id in endpoint_ids:
            self._seq += 1
            self.pending.append(PendingDelivery(self._seq, event["id"], endpoint_id, due_at=now))
        if endpoint_ids:
            self.kick()

    def _held(self, p: PendingDelivery) -> bool:
        return (
            p.hold_for is not None
            and self._sent_to.get(p.endpoint_id, 0) - p.hold_mark < p.hold_for
        )

    def due_now(self) -> list[PendingDelivery]:
        """Deliveries waiting whose time has come (and not held back), oldest first."""
        now = self.state.clock.now()
        return [
            p
            for p in self.pending
            if p.state == "pending" and p.due_at <= now and not self._held(p)
        ]

    def _released_holds(self, endpoint_id: str) -> list[PendingDelivery]:
        now = self.state.clock.now()
        released = [
            p
            for p in self.pending
            if p.endpoint_id == endpoint_id
            and p.state == "pending"
            and p.hold_for is not None
            and p.due_at <= now
            and not self._held(p)
        ]
        for p in released:
            p.hold_for = None
        return released

    def release_held(self) -> int:
        """Let every held-back (reordered) delivery go; returns how many were held."""
        held = [p for p in self.pending if p.state == "pending" and self._held(p)]
        for p in held:
            p.hold_for = None
        if held:
            self.kick()
        return len(held)

    def next_due_at(self) -> int | None:
        """Emulator time of the earliest waiting delivery, or None when nothing waits."""
        waiting = [p.due_at for p in self.pending if p.state == "pending"]
        return min(waiting) if waiting else None

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

        async def run(endpoint_id: str, queue: list[PendingDelivery]) -> None:
            while queue:
                p = queue.pop(0)
                attempt = await self._attempt(p, generation)
                if attempt is not None:
                    made.append(attempt)
                # A held-back (reordered) delivery goes right after the ones it waited for.
                released = self._released_holds(endpoint_id)
                for held in released:
                    held.state = "in_flight"
                queue[:0] = released

        task = asyncio.ensure_future(asyncio.gather(*(run(ep, q) for ep, q in by_endpoint.items())))
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
        through the retry schedule (at most ``max_seconds``; default twice the whole
        schedule) until every delivery succeeded or gave up. Returns every attempt made.
        """
        start_index = len(self.attempts)
        start_time = self.state.clock.now()
        if max_seconds is None:
            # Long enough for every retry schedule started now to run out; bounded, so that
            # events born while time passes (expiries, renewals) cannot keep a drain going.
            max_seconds = 2 * sum(self.state.config.retry_delays) + 1
        while True:
            await self.settle()
            await self.deliver_due()
            await self.settle()
            if self.due_now():
                continue
            if self.release_held():  # nothing else will come to release them
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
        if p.replay is not None:
            return await self._send_replay(p, event, endpoint, generation)
        now = state.clock.now()
        plan = AttemptPlan(
            now=now,
            attempt=p.attempts + 1,
            timestamp=now,
            secrets=[secret],
            timeout=state.config.webhook_timeout,
        )
        rule = state.delivery_policies.for_attempt(
            event, endpoint["id"], p.attempts + 1, p.postponed_by
        )
        if rule is not None:
            rule.action.shape(plan)  # type: ignore[attr-defined]
            if plan.postpone_until is not None or plan.hold_for is not None:
                # Delay or reorder: no attempt now; each rule postpones a delivery once.
                p.postponed_by.add(rule.id)
                p.state = "pending"
                if plan.postpone_until is not None:
                    p.due_at = plan.postpone_until
                else:
                    p.hold_for = plan.hold_for
                    p.hold_mark = self._sent_to.get(p.endpoint_id, 0)
                return None
        p.attempts += 1
        # Each endpoint gets the event in its own API version, rendered as it is sent.
        payload = json.dumps(render(state, event, endpoint["api_version"]), indent=2)
        header = (
            plan.signature_override
            if plan.signature_override is not None
            else signature_header(payload, plan.secrets, plan.timestamp)
        )
        label = rule.action.name if rule is not None else None
        started = time.perf_counter()
        wall = time.time()
        if not plan.send:
            results = [PostResult(None, plan.not_sent_reason)]
        else:
            self._sent_to[p.endpoint_id] = self._sent_to.get(p.endpoint_id, 0) + 1
            self._captured[(p.event_id, p.endpoint_id)] = (payload, header)
            send = [payload.encode(), header, endpoint["url"], plan.timeout]
            if plan.copies > 1 and plan.concurrent:
                results = list(
                    await asyncio.gather(*(self._post(*send) for _ in range(plan.copies)))
                )
            else:
                results = [await self._post(*send) for _ in range(plan.copies)]
        latency_ms = round((time.perf_counter() - started) * 1000, 3)
        if generation != self._generation:
            return None
        made = []
        for result in results:
            status, error = result.status, result.error
            if plan.force_failure and status is not None:
                error = f"{plan.force_failure}; endpoint answered {status}"
                status = None
            made.append(
                Attempt(
                    event_id=event["id"],
                    event_type=event["type"],
                    endpoint_id=endpoint["id"],
                    url=endpoint["url"],
                    attempt=p.attempts,
                    status=status,
                    error=error,
                    delivered=status is not None and 200 <= status < 300,
                    latency_ms=latency_ms,
                    emulator_time=now,
                    wall_time=wall,
                    signature_timestamp=plan.timestamp,
                    policy=label,
                    tampering=rule.action.tampering if rule is not None else None,
                    must_be_refused=rule.action.must_be_refused if rule is not None else False,
                    dropped=not plan.send,
                    response_body=result.body if not (status and 200 <= status < 300) else "",
                )
            )
        self.attempts.extend(made)
        if plan.replay_after is not None and plan.send:
            self._seq += 1
            copy = PendingDelivery(
                self._seq, p.event_id, p.endpoint_id, due_at=now + plan.replay_after
            )
            copy.replay = (payload, header)
            copy.replay_of_attempt = p.attempts
            self.pending.append(copy)
        if any(a.delivered for a in made):
            p.state = "delivered"
            event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
        else:
            delays = state.config.retry_delays
            if p.attempts <= len(delays):
                p.state = "pending"
                p.due_at = state.clock.now() + delays[p.attempts - 1]
            else:
                p.state = "gave_up"
        return made[0]

    async def _post(self, body: bytes, header: str, url: str, timeout: float) -> PostResult:
        headers = dict(WEBHOOK_HEADERS)
        if header:
            headers["Stripe-Signature"] = header
        return await post(url, body, headers, timeout)

    async def _send_replay(
        self, p: PendingDelivery, event: dict[str, Any], endpoint: dict[str, Any], generation: int
    ) -> Attempt | None:
        """Re-send captured bytes unchanged; never retried, never counted in pending_webhooks."""
        assert p.replay is not None
        payload, header = p.replay
        started = time.perf_counter()
        wall = time.time()
        result = await self._post(
            payload.encode(), header, endpoint["url"], self.state.config.webhook_timeout
        )
        if generation != self._generation:
            return None
        attempt = Attempt(
            event_id=event["id"],
            event_type=event["type"],
            endpoint_id=endpoint["id"],
            url=endpoint["url"],
            attempt=p.replay_of_attempt,
            status=result.status,
            error=result.error,
            delivered=result.status is not None and 200 <= result.status < 300,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            emulator_time=self.state.clock.now(),
            wall_time=wall,
            signature_timestamp=int(header.split(",")[0][2:]) if header.startswith("t=") else 0,
            policy="replay",
            tampering="replay",
        )
        self.attempts.append(attempt)
        p.state = "delivered" if attempt.delivered else "gave_up"
        return attempt

    async def replay_captured(self, event_id: str, endpoint_id: str | None = None) -> list[Attempt]:
        """Send again, byte for byte, the last captured attempt of ``event_id`` (per endpoint)."""
        made: list[Attempt] = []
        done: set[str] = set()
        for p in reversed(self.pending):
            if p.event_id != event_id or p.replay is not None or p.endpoint_id in done:
                continue
            if endpoint_id is not None and p.endpoint_id != endpoint_id:
                continue
            captured = self._captured.get((p.event_id, p.endpoint_id))
            if captured is None:
                continue
            done.add(p.endpoint_id)
            self._seq += 1
            copy = PendingDelivery(
                self._seq, p.event_id, p.endpoint_id, due_at=self.state.clock.now()
            )
            copy.replay = captured
            copy.replay_of_attempt = p.attempts
            copy.state = "in_flight"
            self.pending.append(copy)
            attempt = await self._attempt(copy, self._generation)
            if attempt is not None:
                made.append(attempt)
        return made
