"""A short, readable account of one run, from its history and final state."""

from __future__ import annotations

from collections.abc import Iterator

from paychaos.history import Event
from paychaos.runner import RunResult


def narrate(result: RunResult) -> Iterator[str]:
    """One line per thing that happened, in order, then the outcome."""
    for event in result.history:
        if event.type == "invoke":
            continue
        line = _line(event)
        if line:
            yield f"{event.time * 1000:7.0f} ms  {line}"
    state = result.state
    active = sum(1 for s in state.subscriptions if s.active)
    yield (
        f"then: Stripe holds {len(state.sessions)} session(s), "
        f"{sum(1 for s in state.sessions if s.paid)} paid; the app holds {active} active "
        f"subscription(s) and {len(state.payments)} payment(s); the browsers heard "
        f"{len(state.notifications)} notification(s)."
    )


def _line(event: Event) -> str | None:
    v = event.value
    if event.name == "checkout":
        return (
            f"the customer of {v.get('company')} opened Checkout: session {v.get('session')}"
            if event.type == "ok"
            else f"checkout failed: {v.get('error')}"
        )
    if event.name == "pay":
        if event.type != "ok":
            return f"the payment was refused: {v.get('error')}"
        return f"the customer paid ({v.get('outcome')}); Stripe says {v.get('payment_status')}"
    if event.name == "webhook":
        answer = v.get("status") if v.get("status") is not None else v.get("error")
        if str(v.get("event_type", "")).startswith(("product.", "price.")):
            return None
        shaped = f" [{v['policy']}]" if v.get("policy") else ""
        return (
            f"Stripe delivered {v.get('event_type')} (attempt {v.get('attempt')}): {answer}{shaped}"
        )
    if event.name == "validate":
        after = " after heal" if v.get("after_heal") else ""
        how = v.get("http_status") if v.get("http_status") is not None else v.get("error")
        where = " in the browser" if v.get("browser") else ""
        return (
            f"the success page{after}{where} asked validate ({how}) and showed: "
            f"{_shown(v.get('told'))}"
        )
    if event.name == "fault":
        return f"nemesis: {v.get('target')} {v.get('fault')} {v.get('phase')}"
    if event.name in ("process", "failpoint", "api_fault", "webhook_policy", "race"):
        return f"nemesis: {event.name} {_compact(v)}"
    if event.name == "heal":
        return "nemesis: everything healed"
    if event.name == "forge":
        return (
            f"an attacker posted a {v.get('kind')} webhook: the app answered {v.get('http_status')}"
        )
    if event.name in ("async_result", "expire", "cancel", "advance_clock"):
        return f"Stripe: {event.name} {_compact(v)}"
    if event.name == "read_subscription":
        return f"the account page shows {v.get('status')}"
    return None


def _shown(told: object) -> str:
    return {
        "success": '"Payment successful"',
        "failed": '"Payment failed"',
        "pending": '"Confirming your payment..."',
    }.get(str(told), str(told))


def _compact(value: dict) -> str:
    return ", ".join(
        f"{k}={v}" for k, v in value.items() if k not in ("session",) and v is not None
    )
