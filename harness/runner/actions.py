"""What each step kind does, by actor: the customer, Stripe, the nemesis.

One function per step kind, registered by name in ``ACTIONS``. Each records
what it did in the history (invoke, then ok / fail / info) so checkers can
judge it later; none of them judges anything itself.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

from paychaos.app import ValidateAnswer
from paychaos.errors import ConfigError
from paychaos.forgery import forged_event, forged_subscription_id, post_forged_webhook
from paychaos.nemesis import NemesisRecord
from paychaos.runner.context import FULFILMENT_EVENT, PLANS, RunContext
from paychaos.schedule import Step
from paychaos.stripe_rest import id_of

Action = Callable[[RunContext, Step], None]
ACTIONS: dict[str, Action] = {}


def action(kind: str) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[kind] = fn
        return fn

    return register


def run_step(ctx: RunContext, step: Step) -> None:
    """Execute one step."""
    ACTIONS[step.do](ctx, step)


# --- customer -------------------------------------------------------------------------------


@action("checkout")
def _checkout(ctx: RunContext, step: Step) -> None:
    alias, company = step.args["session"], step.args["company"]
    if alias in ctx.sessions:
        raise ConfigError(f"step {step.describe()}: session {alias!r} was already created")
    if step.args["plan"] not in PLANS:
        raise ConfigError(
            f"step {step.describe()}: unknown plan {step.args['plan']!r}",
            hint=f"plans: {', '.join(PLANS)}",
        )
    op = ctx.history.invoke(
        ctx.customer(company), "checkout", {"session": alias, "company": company}
    )
    try:
        # Signing up, and the plan the app sells (made on first use, maybe mid-fault), are
        # the app's too, and can fail.
        company_id = ctx.company_id(company)
        plan_id = _plan(ctx, step.args["plan"])
        session_id = ctx.env.app.create_checkout(company_id, plan_id)
    except Exception as exc:  # the app failed to create it: the customer never reaches Stripe
        op.fail({"session": alias, "error": _short(exc)})
        return
    op.ok(checked_out(ctx, alias, session_id, company, company_id, step.args["plan"]))


def checked_out(
    ctx: RunContext, alias: str, session_id: str, buyer: str, buyer_id: str, plan: str
) -> dict[str, Any]:
    """Remember whose session ``alias`` is; the checkout op's value: who checked it out (and
    pays: I10 and I11 judge by it) and the plan's price."""
    ctx.sessions[alias] = session_id
    ctx.session_company[alias] = buyer
    return {
        "session": session_id,
        "alias": alias,
        "company": buyer,
        "company_id": buyer_id,
        "plan": plan,
        "price": ctx.env.plan_price_id(plan),
    }


def _plan(ctx: RunContext, name: str) -> str:
    """The app's id of a plan the step's arguments already checked against PLANS."""
    plan_id = ctx.plan_id(name)
    assert plan_id is not None
    return plan_id


UNTRUSTED = "the adapter cannot send what an edited browser sends (traits.untrusted_client)"
ANONYMOUS = "anonymous"  # the history's lane of a browser where no one is signed in


@action("tampered_checkout")
def _tampered_checkout(ctx: RunContext, step: Step) -> None:
    alias, company = step.args["session"], step.args["company"]
    if alias in ctx.sessions:
        raise ConfigError(f"step {step.describe()}: session {alias!r} was already created")
    buyer = step.args["as_company"] or company
    plan = step.args["plan"]
    value: dict[str, Any] = {
        "session": alias,
        "company": buyer,
        "asked_for": company,
        "plan": plan,
        **({"amount": step.args["amount"]} if step.args["amount"] is not None else {}),
    }
    op = ctx.history.invoke(ctx.customer(buyer), "tampered_checkout", value)
    if not ctx.env.app.traits.untrusted_client:
        op.fail({**value, "error": UNTRUSTED, "unsupported": True})
        return
    try:
        # signing the companies up and making the plan are the app's too, and can fail
        buyer_id, asked_id = ctx.company_id(buyer), ctx.company_id(company)
        plan_id = _plan(ctx, plan)
        session_id = ctx.env.app.checkout_as(
            asked_id, plan_id, signed_in=buyer_id, amount=step.args["amount"]
        )
    except Exception as exc:  # the app refused the edited request: nothing to pay
        op.fail({**value, "error": _short(exc)})
        return
    op.ok({**value, **checked_out(ctx, alias, session_id, buyer, buyer_id, plan)})


@action("tampered_read")
def _tampered_read(ctx: RunContext, step: Step) -> None:
    company, signed_in = step.args["company"], step.args["as_company"]
    value: dict[str, Any] = {"company": company, "signed_in": signed_in}
    op = ctx.history.invoke(ctx.customer(signed_in or ANONYMOUS), "tampered_read", value)
    if not ctx.env.app.traits.untrusted_client:
        op.fail({**value, "error": UNTRUSTED, "unsupported": True})
        return
    try:
        company_id = ctx.company_id(company)
        signed_in_id = ctx.company_id(signed_in) if signed_in is not None else None
        shown = ctx.env.app.subscription_status_as(company_id, signed_in=signed_in_id)
    except Exception as exc:
        op.info({**value, "error": _short(exc)})
        return
    op.ok({**value, "company_id": company_id, "signed_in_id": signed_in_id, **shown})


@action("tampered_validate")
def _tampered_validate(ctx: RunContext, step: Step) -> None:
    alias = step.args["session"]
    session_id = ctx.sessions.get(alias)
    if session_id is None:
        return
    owner = ctx.session_company.get(alias, "c1")
    signed_in = step.args["as_company"] or owner
    plan = step.args["plan"]
    value: dict[str, Any] = {
        "session": session_id,
        "signed_in": signed_in,
        "owner": owner,
        **({"plan": plan} if plan else {}),
    }
    for _ in range(step.args["times"]):
        op = ctx.history.invoke(ctx.customer(signed_in), "tampered_validate", value)
        if not ctx.env.app.traits.untrusted_client:
            op.fail({**value, "error": UNTRUSTED, "unsupported": True})
            return
        try:  # signing the other company up and making the plan are the app's too
            signed_in_id = ctx.company_id(signed_in)
            plan_id = _plan(ctx, plan) if plan else None
        except Exception as exc:
            op.fail({**value, "error": _short(exc)})
            return
        answer = ctx.env.app.validate_as(session_id, signed_in=signed_in_id, plan_id=plan_id)
        done = {
            **value,
            "signed_in_id": signed_in_id,
            "owner_id": ctx.company_id(owner),
            "told": answer.told,
            "http_status": answer.http_status,
            **({"error": answer.error} if answer.error else {}),
            **({"body": answer.body} if answer.body else {}),
        }
        if answer.http_status is None:
            op.info(done)
        elif answer.http_status >= 500:
            op.fail(done)
        else:
            op.ok(done)


@action("pay")
def _pay(ctx: RunContext, step: Step) -> None:
    session_id = ctx.sessions.get(step.args["session"])
    if session_id is None:  # checkout failed earlier: nothing to pay
        return
    company = ctx.session_company.get(step.args["session"], "c1")
    outcome = step.args["outcome"]
    _emulator_op(
        ctx,
        ctx.customer(company),
        "pay",
        {"session": session_id, "outcome": outcome},
        lambda control: {
            "payment_status": control.complete_session(session_id, outcome=outcome).get(
                "payment_status"
            )
        },
    )


def _emulator_op(
    ctx: RunContext,
    process: str,
    name: str,
    value: dict[str, Any],
    call: Callable[[Any], dict[str, Any] | None],
) -> None:
    """Ask the emulator to act; a refusal (an expired session cannot be paid, a canceled
    subscription cannot be canceled again) is recorded as a failed op, as Stripe would refuse."""
    from paychaos.stripe_emulator import EmulatorControlError

    op = ctx.history.invoke(process, name, value)
    try:
        extra = call(ctx.env.emulator.control) or {}
    except EmulatorControlError as exc:
        op.fail({**value, "error": _short(exc)})
        return
    op.ok({**value, **extra})


@action("validate")
def _validate(ctx: RunContext, step: Step) -> None:
    session_id = ctx.sessions.get(step.args["session"])
    if session_id is None:
        return
    validate_session(ctx, step.args["session"], session_id)


@action("leave")
def _leave(ctx: RunContext, step: Step) -> None:
    alias = step.args["session"]
    ctx.left.add(alias)
    ctx.history.record(
        ctx.customer(ctx.session_company.get(alias, "c1")),
        "leave",
        {"session": ctx.sessions.get(alias, alias)},
    )


def validate_session(
    ctx: RunContext, alias: str, session_id: str, *, after_heal: bool = False
) -> str | None:
    company = ctx.session_company.get(alias, "c1")
    op = ctx.history.invoke(ctx.customer(company), "validate", {"session": session_id})
    mark = app_log_mark(ctx)
    if ctx.env.browser is not None:
        answer, shown = _validate_in_browser(ctx, session_id)
    else:
        answer, shown = ctx.env.app.validate(session_id), {}
    value: dict[str, Any] = {
        "session": session_id,
        "told": answer.told,
        "http_status": answer.http_status,
        **shown,
        **({"after_heal": True} if after_heal else {}),
        **({"error": answer.error} if answer.error else {}),
        **({"body": answer.body} if answer.body else {}),
    }
    if answer.told:
        ctx.told[session_id] = answer.told
    if answer.http_status is None or answer.http_status >= 500 or answer.told == "failed":
        log = app_log_since(ctx, mark)
        if log:
            value["app_log"] = log
    if answer.http_status is None:
        op.info(value)
    elif answer.http_status >= 500:
        op.fail(value)
    else:
        op.ok(value)
    return answer.told


def _validate_in_browser(ctx: RunContext, session_id: str) -> tuple[ValidateAnswer, dict]:
    """The customer's success page in the browser asks validate; ``told`` is what it showed.

    Beside it, what the adapter's model would have said for the same answer (``model_told``)
    and the page's text (``page_text``, cut), so a page that renders an answer otherwise than
    its model shows in the history.
    """
    app = ctx.env.app
    url = app.success_page_url(session_id)
    if url is None:
        raise ConfigError(f"--browser: the adapter names no success page for {session_id}")
    reading = ctx.env.browser.read(
        url, app.page_outcome, timeout=app.page_timeout, on_call=_contact.on_send()
    )
    answer = ValidateAnswer(
        told=reading.told, http_status=reading.http_status, body=reading.body, error=reading.error
    )
    shown: dict[str, Any] = {
        "browser": True,
        "model_told": app.page_model(reading.http_status, reading.body),
        "page_text": reading.page_text,
        **({"asked_again": True} if reading.asked_again else {}),
    }
    return answer, shown


@action("read_subscription")
def _read_subscription(ctx: RunContext, step: Step) -> None:
    company = step.args["company"]
    op = ctx.history.invoke(ctx.customer(company), "read_subscription", {"company": company})
    try:
        status = ctx.env.app.subscription_status(ctx.company_id(company))
    except Exception as exc:
        op.info({"company": company, "error": _short(exc)})
        return
    op.ok({"company": company, **status})


# --- Stripe ---------------------------------------------------------------------------------


@action("async_result")
def _async_result(ctx: RunContext, step: Step) -> None:
    session_id = ctx.sessions.get(step.args["session"])
    if session_id is None:
        return
    ok = step.args["succeeded"]
    _emulator_op(
        ctx,
        "stripe",
        "async_result",
        {"session": session_id, "succeeded": ok},
        lambda control: control.async_payment(session_id, succeeded=ok) and None,
    )


@action("expire")
def _expire(ctx: RunContext, step: Step) -> None:
    session_id = ctx.sessions.get(step.args["session"])
    if session_id is None:
        return
    _emulator_op(
        ctx,
        "stripe",
        "expire",
        {"session": session_id},
        lambda control: control.expire_session(session_id) and None,
    )


@action("cancel")
def _cancel(ctx: RunContext, step: Step) -> None:
    session_id = ctx.sessions.get(step.args["session"])
    if session_id is None:
        return
    # The harness's own read: injected API faults are the app's, never this call's.
    sub_id = id_of(ctx.env.stripe.session(session_id).get("subscription"))
    if not sub_id:
        ctx.history.record(
            "stripe",
            "cancel",
            {"session": session_id, "error": "the session has no subscription"},
            "fail",
        )
        return
    _emulator_op(
        ctx,
        "stripe",
        "cancel",
        {"session": session_id, "subscription": sub_id},
        lambda control: control.cancel_subscription(sub_id) and None,
    )


# What the app logged beside a failed call is kept up to this many characters (its end).
APP_LOG_KEPT = 2000


def app_log_mark(ctx: RunContext) -> int:
    """Where the app's log stands now (see ``app_log_since``)."""
    try:
        return ctx.env.app.log_position()
    except Exception:  # an adapter's log is evidence, never a reason for a run to fail
        return 0


def app_log_since(ctx: RunContext, mark: int) -> str:
    try:
        text = ctx.env.app.log_since(mark)
    except Exception:
        return ""
    return text[-APP_LOG_KEPT:].strip()


def record_deliveries(ctx: RunContext, attempts: list[dict[str, Any]], log_mark: int) -> None:
    """Each webhook attempt the emulator made, as Stripe's op in the history; a refused honest
    attempt carries the start of the app's answer and what the app logged meanwhile."""
    keys = ("event_id", "event_type", "attempt", "status", "error", "policy", "delivered")
    log = None
    for attempt in attempts:
        if attempt.get("delivered") and not attempt.get("tampering"):
            stamp = attempt.get("signature_timestamp")
            if isinstance(stamp, int) and stamp > 0:
                ctx.delivered[attempt["event_id"]] = (str(attempt.get("event_type")), stamp)
        value = {k: attempt[k] for k in keys if k in attempt}
        if not attempt.get("delivered") and not attempt.get("tampering"):
            if attempt.get("response_body"):
                value["body"] = attempt["response_body"]
            log = app_log_since(ctx, log_mark) if log is None else log
            if log:
                value["app_log"] = log
        ctx.history.record("stripe", "webhook", value)


def record_nemesis(ctx: RunContext, records: list[NemesisRecord]) -> None:
    """What the nemesis did, as its ops in the history."""
    for record in records:
        ctx.history.record("nemesis", record.name, record.value)


@action("deliver")
def _deliver(ctx: RunContext, step: Step) -> None:
    mark = app_log_mark(ctx)
    record_deliveries(ctx, ctx.env.emulator.control.deliver_due(), mark)


@action("retry_webhooks")
def _retry_webhooks(ctx: RunContext, step: Step) -> None:
    mark = app_log_mark(ctx)
    record_deliveries(ctx, ctx.env.emulator.control.drain(), mark)


@action("advance_clock")
def _advance_clock(ctx: RunContext, step: Step) -> None:
    seconds = step.args["seconds"]
    now = ctx.env.emulator.control.advance_clock(seconds)
    ctx.history.record("stripe", "advance_clock", {"seconds": seconds, "now": now})


@action("webhook_policy")
def _webhook_policy(ctx: RunContext, step: Step) -> None:
    # One step's policy, for every event it names: together they replace what was in force.
    ctx.env.emulator.control.set_delivery_policy(ctx.resolve(step.args["policy"]))
    ctx.history.record("stripe", "webhook_policy", dict(step.args["policy"]))


@action("api_fault")
def _api_fault(ctx: RunContext, step: Step) -> None:
    ctx.env.emulator.control.add_api_fault(step.args["rule"])
    ctx.history.record("nemesis", "api_fault", dict(step.args["rule"]))


@action("forge")
def _forge(ctx: RunContext, step: Step) -> None:
    alias = step.args["session"]
    session_id = ctx.sessions.get(alias) or ctx.forged.setdefault(alias, f"cs_test_forged_{alias}")
    kind, event_type = step.args["kind"], step.args["event_type"]
    if event_type == FULFILMENT_EVENT:  # aim at what would grant this app a subscription
        event_type = ctx.env.app.traits.fulfils_on[0]
    op = ctx.history.invoke(
        "attacker",
        "forge",
        {
            "kind": kind,
            "session": session_id,
            "subscription": forged_subscription_id(session_id),
            "event_type": event_type,
        },
    )
    metadata: dict[str, Any] = {}
    with contextlib.suppress(Exception):  # a session Stripe never saw has no metadata to copy
        metadata = ctx.env.stripe.session(session_id).get("metadata") or {}
    event = forged_event(
        session_id,
        event_type,
        ctx.company_ids_by_session(alias),
        metadata,
        ctx.env.webhook_api_version,
    )
    status, error = post_forged_webhook(
        kind, ctx.env.app.webhook_url, event, ctx.env.webhook_secret
    )
    value = {
        "kind": kind,
        "session": session_id,
        "subscription": forged_subscription_id(session_id),
        "event_type": event_type,
        "http_status": status,
    }
    if status is None:
        op.info({**value, "error": error})
    else:
        op.ok(value)


# Longest a replay waits for its captured delivery to outlive the app's tolerance.
REPLAY_WAIT_MAX = 60
# stripe-python's default signature tolerance, in seconds.
DEFAULT_TOLERANCE = 300


@action("replay_genuine")
def _replay_genuine(ctx: RunContext, step: Step) -> None:
    """An attacker who captured a genuine delivery of the fulfilment event (body and
    signature) sends it again once its signature is older than the app's tolerance."""
    setting = ctx.env.app.traits.webhook_tolerance_setting
    if setting is None:
        ctx.history.record(
            "attacker",
            "replay_genuine",
            {
                "error": "the app's signature tolerance is unknown "
                "(traits.webhook_tolerance_setting)",
                "unreplayed": True,
            },
            "fail",
        )
        return
    tolerance = int(ctx.env.app_setting(setting) or DEFAULT_TOLERANCE)
    wanted = ctx.env.app.traits.fulfils_on
    captured = [(e, t) for e, (kind, t) in ctx.delivered.items() if kind in wanted]
    value: dict[str, Any] = {"tolerance": tolerance}
    if not captured:
        ctx.history.record(
            "attacker",
            "replay_genuine",
            {**value, "error": "no genuine delivery of the fulfilment event to replay yet"},
            "fail",
        )
        return
    event_id, signed_at = captured[-1]
    if signed_at > time.time() + 1:
        # Signed by Stripe's clock moved ahead (advance_clock); the app checks signatures
        # against its own clock, where this one is not even old yet: no replay can outlive it.
        ctx.history.record(
            "attacker",
            "replay_genuine",
            {
                **value,
                "event_id": event_id,
                "error": "its signature was made after Stripe's clock was moved ahead, so it "
                "cannot outlive the tolerance on the app's clock",
                "unreplayed": True,
            },
            "fail",
        )
        return
    wait = signed_at + tolerance + 1 - time.time()
    if wait > REPLAY_WAIT_MAX:
        raise ConfigError(
            f"step {step.describe()}: waiting {wait:.0f}s for the signature to outlive the "
            "tolerance is too long",
            hint=f"give the app a short tolerance in the scenario's app_env ({setting})",
        )
    if wait > 0:
        time.sleep(wait)
    op = ctx.history.invoke("attacker", "replay_genuine", {**value, "event_id": event_id})
    mark = app_log_mark(ctx)
    try:
        attempts = ctx.env.emulator.control.replay_delivery(event_id)
    except Exception as exc:
        op.info({**value, "event_id": event_id, "error": _short(exc)})
        return
    record_deliveries(ctx, attempts, mark)
    status = attempts[0].get("status") if attempts else None
    op.ok(
        {
            **value,
            "event_id": event_id,
            "age": round(time.time() - signed_at),
            "http_status": status,
        }
    )


# --- nemesis --------------------------------------------------------------------------------


@action("fault")
def _fault(ctx: RunContext, step: Step) -> None:
    nemesis = ctx.env.nemesis
    record_nemesis(
        ctx, nemesis.network_fault(step.args["target"], step.args["fault"], step.args["params"])
    )


@action("heal")
def _heal(ctx: RunContext, step: Step) -> None:
    record_nemesis(ctx, ctx.env.nemesis.heal(step.args["target"]))


@action("process")
def _process(ctx: RunContext, step: Step) -> None:
    record_nemesis(ctx, ctx.env.nemesis.process_fault(step.args["target"], step.args["action"]))


@action("failpoint")
def _failpoint(ctx: RunContext, step: Step) -> None:
    from paychaos.failpoints import FailpointError

    value = {"name": step.args["name"], "action": step.args["action"]}
    if ctx.env.failpoints is None:
        raise ConfigError("this environment has no failpoint control")
    try:
        ctx.env.failpoints.set(step.args["name"], step.args["action"])
    except FailpointError as exc:  # the app is down (crashed earlier): nothing to arm
        ctx.history.record("nemesis", "failpoint", {**value, "error": _short(exc)}, "fail")
        return
    ctx.history.record("nemesis", "failpoint", value)


@action("race")
def _race(ctx: RunContext, step: Step) -> None:
    """Force an interleaving: every sub-step reaches the failpoint before any goes past it."""
    name = step.args["failpoint"]
    from paychaos.failpoints import FailpointError

    fp = ctx.env.failpoints
    if fp is None:
        raise ConfigError("this environment has no failpoint control, so races cannot be forced")
    try:
        fp.set(name, "pause")
    except FailpointError as exc:  # the app is down: the steps run, unforced
        ctx.history.record("nemesis", "race", {"failpoint": name, "error": _short(exc)}, "fail")
        for sub in step.args["steps"]:
            run_step(ctx, sub)
        return
    ctx.history.record("nemesis", "failpoint", {"name": name, "action": "pause"})
    errors: list[BaseException] = []

    def run(sub: Step, sent: threading.Event) -> None:
        _contact.watch(ctx, sub, sent)
        try:
            run_step(ctx, sub)
        except BaseException as exc:  # surfaced after the join
            errors.append(exc)

    threads = []
    reached = 0
    for sub in step.args["steps"]:
        sent = threading.Event()
        thread = threading.Thread(target=run, args=(sub, sent), daemon=True)
        thread.start()
        threads.append(thread)
        if _held(fp, name, reached + 1, thread, sent):
            reached += 1
    ctx.history.record("nemesis", "race", {"failpoint": name, "held": reached, "of": len(threads)})
    with contextlib.suppress(FailpointError):
        fp.clear(name)  # unsetting releases every caller held there
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]


@action("overtake")
def _overtake(ctx: RunContext, step: Step) -> None:
    """Force an order: the first sub-step is held at the failpoint (its first hit only) while
    the others run to the end; then it is released."""
    name = step.args["failpoint"]
    from paychaos.failpoints import FailpointError

    fp = ctx.env.failpoints
    if fp is None:
        raise ConfigError("this environment has no failpoint control, so orders cannot be forced")
    held, *overtaking = step.args["steps"]
    action_text = "1*pause(30000)->off"
    try:
        fp.set(name, action_text)
    except FailpointError as exc:  # the app is down: the steps run in order, unforced
        ctx.history.record("nemesis", "race", {"failpoint": name, "error": _short(exc)}, "fail")
        for sub in step.args["steps"]:
            run_step(ctx, sub)
        return
    ctx.history.record("nemesis", "failpoint", {"name": name, "action": action_text})
    errors: list[BaseException] = []

    sent = threading.Event()

    def run() -> None:
        _contact.watch(ctx, held, sent)
        try:
            run_step(ctx, held)
        except BaseException as exc:  # surfaced after the join
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    reached = _held(fp, name, 1, thread, sent)
    if reached and step.args["caller_gives_up"]:
        thread.join(timeout=30)  # the caller's own timeout ends its wait; the app is still held
    ctx.history.record(
        "nemesis", "race", {"failpoint": name, "held": int(reached), "of": 1, "order": "overtake"}
    )
    try:
        for sub in overtaking:
            run_step(ctx, sub)
    finally:
        with contextlib.suppress(FailpointError):
            fp.clear(name)  # releases the held step
        thread.join(timeout=30)
    if errors:
        raise errors[0]


class _Contact(threading.local):
    """When a forced step's request left for the app. A plain HTTP step sends at once; a
    browser's page sends its call only once loaded, which on a busy machine can take longer
    than the app takes to reach a failpoint, so the wait for the app starts from the send."""

    event: threading.Event | None = None

    def watch(self, ctx: RunContext, step: Step, sent: threading.Event) -> None:
        """On the step's thread, before it runs: mark ``sent`` now, or when its page calls."""
        self.event = sent
        if not (step.do == "validate" and ctx.env.browser is not None):
            sent.set()

    def on_send(self) -> Callable[[], None] | None:
        """On the step's thread: what tells its waiter the page's call left (or None)."""
        return self.event.set if self.event is not None else None


_contact = _Contact()


def _held(
    fp: Any,
    name: str,
    count: int,
    thread: threading.Thread,
    sent: threading.Event,
    timeout: float = 5.0,
) -> bool:
    """Wait until ``name`` was hit ``count`` times, or the step's thread ended without reaching it
    (before a payment there is nothing to fulfil), or ``timeout`` passed since the step's request
    left for the app (a step still loading its page has not asked the app anything yet)."""
    from paychaos.failpoints import FailpointError

    deadline: float | None = None
    while True:
        if deadline is None and sent.is_set():
            deadline = time.monotonic() + timeout
        if deadline is not None and time.monotonic() >= deadline:
            return False
        try:
            fp.wait_until_hit(name, count=count, timeout=0.05)
            return True
        except (TimeoutError, FailpointError):
            if not thread.is_alive():
                return False


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 300 else text[:297] + "..."


def record_failpoint_hits(ctx: RunContext) -> None:
    """Before heal clears them: how often the app reached each failpoint this run armed (a
    failpoint never reached forced nothing). Crashing ones are left out: the process that
    counted them is gone."""
    armed = {
        e.value["name"]
        for e in ctx.history.events()
        if e.process == "nemesis"
        and e.name == "failpoint"
        and e.type != "fail"
        and "crash" not in str(e.value.get("action", ""))
    }
    if not armed or ctx.env.failpoints is None:
        return
    from paychaos.failpoints import FailpointError

    hits: dict[str, int] = {}
    for name in sorted(armed):
        try:
            state = ctx.env.failpoints.state(name)
        except FailpointError:  # the app is down or was restarted: unknown, not zero
            continue
        if state.get("action") is not None:  # cleared since (a race, a heal): unknown
            hits[name] = int(state.get("hits", 0))
    if hits:
        ctx.history.record("nemesis", "failpoint_hits", {"hits": hits})
