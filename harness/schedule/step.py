"""Steps of a schedule, as plain data, and the builders scenarios use to write them.

Each step kind declares its arguments here (name, type, default), so a replay
file or a hand-written schedule is checked before anything runs, with an error
that names the step and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paychaos.errors import ConfigError

_REQUIRED = object()

# kind -> {argument: (accepted types, default or _REQUIRED)}
STEP_KINDS: dict[str, dict[str, tuple[tuple[type, ...], Any]]] = {
    # customer
    "checkout": {
        "session": ((str,), _REQUIRED),
        "company": ((str,), "c1"),
        "plan": ((str,), "pro"),
    },
    "pay": {"session": ((str,), _REQUIRED), "outcome": ((str,), "paid")},
    "async_result": {"session": ((str,), _REQUIRED), "succeeded": ((bool,), True)},
    "validate": {"session": ((str,), _REQUIRED)},
    # an untrusted browser: what it sends is edited by its user
    "tampered_validate": {
        "session": ((str,), _REQUIRED),
        "as_company": ((str, type(None)), None),
        "plan": ((str, type(None)), None),
        "times": ((int,), 1),
    },
    "tampered_read": {"company": ((str,), "c1"), "as_company": ((str, type(None)), "c2")},
    "tampered_checkout": {
        "session": ((str,), _REQUIRED),
        "company": ((str,), "c1"),
        "plan": ((str,), "pro"),
        "as_company": ((str, type(None)), None),
        "amount": ((int, type(None)), None),
    },
    "leave": {"session": ((str,), _REQUIRED)},
    "read_subscription": {"company": ((str,), "c1")},
    # Stripe acting on its own
    "expire": {"session": ((str,), _REQUIRED)},
    "cancel": {"session": ((str,), _REQUIRED)},
    "deliver": {},
    "retry_webhooks": {},
    "advance_clock": {"seconds": ((int,), _REQUIRED)},
    "webhook_policy": {"policy": ((dict,), _REQUIRED)},
    "api_fault": {"rule": ((dict,), _REQUIRED)},
    "replay_genuine": {},
    "forge": {
        "kind": ((str,), "bad_signature"),
        "session": ((str,), _REQUIRED),
        "event_type": ((str,), "$fulfilment"),
    },
    # nemesis
    "fault": {"target": ((str,), _REQUIRED), "fault": ((str,), _REQUIRED), "params": ((dict,), {})},
    "heal": {"target": ((str, type(None)), None)},
    "process": {"target": ((str,), _REQUIRED), "action": ((str,), _REQUIRED)},
    "failpoint": {"name": ((str,), _REQUIRED), "action": ((str,), _REQUIRED)},
    # forced interleavings: run sub-steps concurrently, all held at ``failpoint`` until each reached it
    "race": {"failpoint": ((str,), _REQUIRED), "steps": ((list,), _REQUIRED)},
    # a forced order: the first sub-step is held at ``failpoint`` while the others run to the
    # end, then it goes on (no race: the same order every time)
    # (``caller_gives_up``: the others start only once the held step's caller stopped waiting)
    "overtake": {
        "failpoint": ((str,), _REQUIRED),
        "steps": ((list,), _REQUIRED),
        "caller_gives_up": ((bool,), False),
    },
}

PAY_OUTCOMES = ("paid", "delayed", "declined")


def _choices(kind: str, name: str) -> tuple[str, ...] | None:
    """The words an argument may be, from the part that acts on it; None: any value.

    A replay file with another word is refused up front: it would otherwise run, and its step
    be judged as if it meant something.
    """
    from paychaos.forgery import FORGERY_KINDS
    from paychaos.nemesis import NETWORK_TARGETS, PROCESS_ACTIONS
    from paychaos.runner.context import FULFILMENT_EVENT, PLANS
    from paychaos.stripe_emulator.event_types import EVENT_TYPES

    return {
        ("forge", "event_type"): (FULFILMENT_EVENT, *EVENT_TYPES),
        ("pay", "outcome"): PAY_OUTCOMES,
        ("checkout", "plan"): tuple(PLANS),
        ("tampered_validate", "plan"): tuple(PLANS),
        ("tampered_checkout", "plan"): tuple(PLANS),
        ("forge", "kind"): tuple(FORGERY_KINDS),
        ("fault", "target"): NETWORK_TARGETS,
        ("process", "target"): tuple(PROCESS_ACTIONS),
        ("heal", "target"): tuple(dict.fromkeys((*NETWORK_TARGETS, *PROCESS_ACTIONS))),
    }.get((kind, name))


@dataclass(frozen=True)
class Step:
    """One step: its kind and its (validated, defaulted) arguments."""

    do: str
    args: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"do": self.do}
        for key, value in self.args.items():
            out[key] = [s.to_dict() for s in value] if key == "steps" else value
        return out

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.args.items() if k != "steps"]
        if self.do in ("race", "overtake"):
            joiner = " | " if self.do == "race" else " overtaken by "
            parts.append(joiner.join(s.describe() for s in self.args["steps"][:2]))
            parts.extend(f"then {s.describe()}" for s in self.args["steps"][2:])
        return f"{self.do}({', '.join(parts)})"


def step_from_dict(raw: Any, where: str = "step") -> Step:
    """Validate one step given as plain data; errors name ``where`` and the field."""
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: expected an object like {{"do": "pay", ...}}')
    kind = raw.get("do")
    if kind not in STEP_KINDS:
        raise ConfigError(
            f"{where}.do: unknown step kind {kind!r}",
            hint=f"one of: {', '.join(sorted(STEP_KINDS))}",
        )
    spec = STEP_KINDS[kind]
    unknown = sorted(set(raw) - set(spec) - {"do"})
    if unknown:
        raise ConfigError(
            f"{where}.{unknown[0]}: {kind} takes no argument {unknown[0]!r}",
            hint=f"{kind} takes: {', '.join(spec) or 'nothing'}",
        )
    args: dict[str, Any] = {}
    for name, (types, default) in spec.items():
        if name not in raw:
            if default is _REQUIRED:
                raise ConfigError(f"{where}.{name}: {kind} needs {name!r}")
            args[name] = default
            continue
        value = raw[name]
        if isinstance(value, bool) and bool not in types:
            raise ConfigError(f"{where}.{name}: expected {types[0].__name__}, got a boolean")
        if not isinstance(value, types):
            raise ConfigError(
                f"{where}.{name}: expected {types[0].__name__}, got {type(value).__name__} {value!r}"
            )
        choices = _choices(kind, name) if isinstance(value, str) else None
        if choices and value is not None and value not in choices:
            raise ConfigError(
                f"{where}.{name}: {kind} takes {name} one of {', '.join(choices)}, not {value!r}"
            )
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{where}.{name}: {kind} needs a {name} of 0 or more, not {value}")
        args[name] = value
    if kind in ("race", "overtake"):
        subs = args["steps"]
        if len(subs) < 2:
            raise ConfigError(f"{where}.steps: {kind} needs at least two steps")
        args["steps"] = tuple(step_from_dict(s, f"{where}.steps[{i}]") for i, s in enumerate(subs))
    _check_values(kind, args, where)
    return Step(kind, args)


# Arguments that name something (a session, a company, a failpoint): never empty.
_NAMES = {"session", "company", "plan", "name", "failpoint", "event_type"}
_STREAMS = ("upstream", "downstream")


def _check_values(kind: str, args: dict[str, Any], where: str) -> None:
    """What a step's arguments mean, checked as the part acting on them would: a replay file
    is refused before anything starts, not halfway through a run."""
    for name in _NAMES & set(args):
        if isinstance(args[name], str) and not args[name].strip():
            raise ConfigError(f"{where}.{name}: {kind} needs a non-empty {name}")
    if kind == "process":
        from paychaos.nemesis import PROCESS_ACTIONS

        allowed = PROCESS_ACTIONS[args["target"]]
        if args["action"] not in allowed:
            raise ConfigError(
                f"{where}.action: process {args['target']} takes action one of "
                f"{', '.join(allowed)}, not {args['action']!r}"
            )
    elif kind == "fault":
        _check_fault(args["fault"], args["params"], where)
    if kind in ("failpoint", "race"):
        from paychaos.failpoints import _NAME

        name = args["name" if kind == "failpoint" else "failpoint"]
        if not _NAME.match(name):
            raise ConfigError(
                f"{where}.{'name' if kind == 'failpoint' else 'failpoint'}: {name!r} is no "
                "failpoint name (1 to 200 letters, digits and . _ : -)"
            )
    if kind == "failpoint":
        _check_failpoint_action(args["action"], f"{where}.action")
    elif kind == "advance_clock":
        from paychaos.stripe_emulator.clock import MAX_ADVANCE_SECONDS

        if args["seconds"] > MAX_ADVANCE_SECONDS:
            raise ConfigError(
                f"{where}.seconds: advance_clock moves at most {MAX_ADVANCE_SECONDS} s (two "
                f"years) at once, not {args['seconds']}",
                hint="split it into several advance_clock steps",
            )
    elif kind in ("webhook_policy", "api_fault"):
        _check_rule(kind, args["policy" if kind == "webhook_policy" else "rule"], where)


def _check_fault(fault: str, params: dict[str, Any], where: str) -> None:
    import inspect

    from paychaos.faults.client import ProxyHandle
    from paychaos.faults.toxics.base import InvalidAttribute
    from paychaos.faults.toxics.registry import TOXICS
    from paychaos.nemesis import _is_named_fault, network_faults

    if fault not in network_faults():
        raise ConfigError(
            f"{where}.fault: unknown network fault {fault!r}",
            hint=f"one of: {', '.join(network_faults())}",
        )
    stream, toxicity = params.get("stream", "downstream"), params.get("toxicity", 1.0)
    if stream not in _STREAMS:
        raise ConfigError(f"{where}.params.stream: upstream or downstream, not {stream!r}")
    if (
        isinstance(toxicity, bool)
        or not isinstance(toxicity, int | float)
        or not 0 <= toxicity <= 1
    ):
        raise ConfigError(f"{where}.params.toxicity: a number from 0 to 1, not {toxicity!r}")
    if _is_named_fault(fault):
        method = getattr(ProxyHandle, fault)
        try:
            inspect.signature(method).bind(None, **params)
        except TypeError as exc:
            raise ConfigError(
                f"{where}.params: {fault} takes no such parameters {params} ({exc})",
                hint=f"{fault} takes: {', '.join(list(inspect.signature(method).parameters)[1:]) or 'nothing'}",
            ) from None
        numbers = {k: v for k, v in params.items() if k not in ("stream", "toxicity")}
        for key, value in numbers.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(
                    f"{where}.params.{key}: a whole number of 0 or more, not {value!r}"
                )
        return
    attributes = {k: v for k, v in params.items() if k not in ("stream", "toxicity")}
    try:
        TOXICS[fault].check_attributes(attributes)
    except InvalidAttribute as exc:
        raise ConfigError(f"{where}.params: {exc}") from None


def _check_failpoint_action(action: str, where: str) -> None:
    from paychaos.failpoints import FailpointActionError, parse_action

    try:
        parse_action(action)
    except FailpointActionError as exc:
        raise ConfigError(f"{where}: {exc.what}", hint=exc.hint) from None


def _check_rule(kind: str, rule: dict[str, Any], where: str) -> None:
    """A delivery policy or an API fault rule, checked by the emulator's own parser."""
    from paychaos.stripe_emulator.errors import StripeApiError

    if kind == "webhook_policy":
        from paychaos.stripe_emulator.faults.delivery.policies import DeliveryPolicies as Rules
    else:
        from paychaos.stripe_emulator.faults.api.faults import ApiFaults as Rules  # type: ignore[assignment]
    field_name = "policy" if kind == "webhook_policy" else "rule"
    try:
        Rules(seed=0).add(dict(rule))
    except StripeApiError as exc:
        raise ConfigError(f"{where}.{field_name}: {exc.message}") from None
    # A glob that can match nothing the emulator has (a typo) would run and test nothing.
    if kind == "webhook_policy":
        _check_event_glob(rule.get("event_type"), f"{where}.policy.event_type")
    else:
        _check_path_glob(rule.get("path"), str(rule.get("method", "*")).upper(), where)


def _check_event_glob(pattern: Any, where: str) -> None:
    from paychaos.runner.context import FULFILMENT_EVENT
    from paychaos.stripe_emulator.event_types import EVENT_TYPES
    from paychaos.stripe_emulator.faults.rules import glob_matches

    if not isinstance(pattern, str) or pattern == FULFILMENT_EVENT:
        return
    if not any(glob_matches(pattern, event) for event in EVENT_TYPES):
        raise ConfigError(
            f"{where}: {pattern!r} matches no event type the emulator sends",
            hint=f"{FULFILMENT_EVENT} (what the app fulfils on), a glob such as "
            f"checkout.session.*, or one of: {', '.join(EVENT_TYPES)}",
        )


def _check_path_glob(pattern: Any, method: str, where: str) -> None:
    from paychaos.stripe_emulator.faults.rules import glob_matches
    from paychaos.stripe_emulator.routes import ROUTES

    if not isinstance(pattern, str):
        return
    wanted = pattern.split("/")

    def instance(template: str) -> str:
        # A path of this route the glob would meet: each {id} segment as the glob spells it.
        parts = template.split("/")
        same = len(parts) == len(wanted)
        return "/".join(
            (wanted[i] if same else "x") if part.startswith("{") else part
            for i, part in enumerate(parts)
        )

    routes = [r for r in ROUTES if method in ("*", r.method)]
    if not any(glob_matches(pattern, instance(r.path)) for r in routes):
        raise ConfigError(
            f"{where}.rule.path: {pattern!r} matches no {'' if method == '*' else method + ' '}"
            "endpoint the emulator serves",
            hint="e.g. /v1/checkout/sessions or /v1/checkout/sessions/* "
            "(paths as Stripe's API reference spells them)",
        )


def _make(_kind: str, **args: Any) -> Step:
    kind = _kind
    spec = STEP_KINDS.get(kind, {})

    def given(name: str, value: Any) -> bool:
        # None is "use the default", unless None is a choice apart from a default of its own
        # (``tampered_read(as_company=None)``: no one signed in, not company c2).
        if value is not None or kind == "heal":
            return True
        types, default = spec.get(name, ((), None))
        return type(None) in types and default not in (None, _REQUIRED)

    raw = {"do": kind, **{k: v for k, v in args.items() if given(k, v)}}
    if kind in ("race", "overtake"):
        raw["steps"] = [s.to_dict() if isinstance(s, Step) else s for s in raw["steps"]]
    return step_from_dict(raw, kind)


# Builders: what scenario files call.
def checkout(session: str, company: str = "c1", plan: str = "pro") -> Step:
    """The customer of ``company`` starts a Checkout Session for ``plan``; ``session`` names it."""
    return _make("checkout", session=session, company=company, plan=plan)


def pay(session: str, outcome: str = "paid") -> Step:
    """The customer completes Checkout: ``paid``, ``delayed`` (unpaid now) or ``declined``."""
    return _make("pay", session=session, outcome=outcome)


def async_result(session: str, succeeded: bool = True) -> Step:
    """A delayed payment method settles, successfully or not."""
    return _make("async_result", session=session, succeeded=succeeded)


def validate(session: str) -> Step:
    """The success page calls validate, as the browser does after the redirect."""
    return _make("validate", session=session)


def tampered_validate(
    session: str, as_company: str | None = None, plan: str | None = None, times: int = 1
) -> Step:
    """The success page's validate as an edited browser sends it, ``times`` in a row.

    ``as_company``: signed in as this company (another company asking about ``session``);
    ``plan``: a plan named beside the session id (as an edited success URL's query names it).
    The app must grant nothing it was not paid for and show nothing of another company's
    purchase (I10, I11); what the page shows for an edited request is no promise (not I4's).
    """
    return _make(
        "tampered_validate", session=session, as_company=as_company, plan=plan, times=times
    )


def tampered_read(company: str = "c1", as_company: str | None = "c2") -> Step:
    """The browser of ``as_company`` reads ``company``'s account page (an edited URL);
    ``as_company=None``: a browser where no one is signed in."""
    return _make("tampered_read", company=company, as_company=as_company)


def tampered_checkout(
    session: str,
    company: str = "c1",
    plan: str = "pro",
    as_company: str | None = None,
    amount: int | None = None,
) -> Step:
    """The checkout call as an edited browser sends it: signed in as ``as_company`` (default:
    ``company``), asking for ``company``'s checkout of ``plan`` and naming a price ``amount``
    of its own. The signed-in company is the one that pays."""
    return _make(
        "tampered_checkout",
        session=session,
        company=company,
        plan=plan,
        as_company=as_company,
        amount=amount,
    )


def leave(session: str) -> Step:
    """The customer closes the tab before the success page loads: no browser asks validate again.

    Stripe's fulfilment guide warns that this happens; from then on only the webhook can
    fulfil the session.
    """
    return _make("leave", session=session)


def read_subscription(company: str = "c1") -> Step:
    """The customer's account page reads the subscription status."""
    return _make("read_subscription", company=company)


def expire(session: str) -> Step:
    """Stripe expires an open session."""
    return _make("expire", session=session)


def cancel(session: str) -> Step:
    """Stripe cancels the session's subscription (e.g. the customer cancels in the portal)."""
    return _make("cancel", session=session)


def deliver() -> Step:
    """Stripe delivers every webhook that is due now."""
    return _make("deliver")


def retry_webhooks() -> Step:
    """Stripe keeps retrying every failed webhook on its schedule until acknowledged or given up.

    Stripe's clock moves through the whole retry schedule (hours in test mode, days
    live); nothing heals meanwhile unless an earlier step said so.
    """
    return _make("retry_webhooks")


def advance_clock(seconds: int) -> Step:
    """Move Stripe's clock forward (retries and expiries that fall due happen)."""
    return _make("advance_clock", seconds=seconds)


def webhook_policy(**policy: Any) -> Step:
    """Set a delivery policy on the emulator (drop, duplicate, delay, reorder, tamper, ...)."""
    return _make("webhook_policy", policy=policy)


def api_fault(**rule: Any) -> Step:
    """Make the Stripe API misbehave for matching calls (500, 429, latency, hang, reset)."""
    return _make("api_fault", rule=rule)


def forge(session: str, kind: str = "bad_signature", event_type: str = "$fulfilment") -> Step:
    """An attacker posts a webhook the app must refuse (bad or no signature, wrong secret, stale).

    ``$fulfilment`` (the default): the event the app under test fulfils on, so the forgery
    aims at what would grant a subscription.
    """
    return _make("forge", session=session, kind=kind, event_type=event_type)


def replay_genuine() -> Step:
    """An attacker sends a captured genuine delivery of the fulfilment event again, the same
    body and signature, once the signature is older than the app's tolerance (read from the
    setting ``traits.webhook_tolerance_setting`` names; the step waits that long in real
    time, so give the app a short one in the scenario's ``app_env``). The app must refuse
    it (I6)."""
    return _make("replay_genuine")


def fault(target: str, fault: str, **params: Any) -> Step:
    """Turn a network fault on for ``target`` (redis, postgres, stripe_api) until healed."""
    return _make("fault", target=target, fault=fault, params=params)


def heal(target: str | None = None) -> Step:
    """Remove network faults (all, or one target's) and bring paused or killed processes back."""
    return _make("heal", target=target)


def process(target: str, action: str) -> Step:
    """A process fault: pause, resume, kill, restart (redis, postgres, app), terminate_backends."""
    return _make("process", target=target, action=action)


def failpoint(name: str, action: str) -> Step:
    """Set a failpoint inside the app (``raise(...)``, ``sleep(ms)``, ``pause``, ``crash``, ``off``)."""
    return _make("failpoint", name=name, action=action)


def race(failpoint: str, *steps: Step) -> Step:
    """Run ``steps`` concurrently, holding each at ``failpoint`` until all reached it, then release."""
    return _make("race", failpoint=failpoint, steps=list(steps))


def overtake(failpoint: str, held: Step, *overtaking: Step, caller_gives_up: bool = False) -> Step:
    """Force an order: ``held`` stops at ``failpoint`` while ``overtaking`` run to the end, then
    ``held`` goes on. The same order every run, unlike a race. ``caller_gives_up``: the
    others start only once whoever made the held request stopped waiting for it (Stripe's
    attempt timed out), while the app still works on it."""
    return _make(
        "overtake",
        failpoint=failpoint,
        steps=[held, *overtaking],
        caller_gives_up=caller_gives_up or None,
    )


def success_page_before_webhook(session: str) -> Step:
    """The webhook is on its way (held before it fulfils) when the success page's validate
    fulfils the session; then the webhook goes on and must find it fulfilled."""
    return overtake("fulfil.before_insert", deliver(), validate(session))


def webhook_before_success_page(session: str) -> Step:
    """The success page's validate is on its way (held before it fulfils) when the webhook
    fulfils the session; then validate goes on and must find it fulfilled."""
    return overtake("fulfil.before_insert", validate(session), deliver())


def change_plan(old: str, new: str, company: str = "c1", plan: str = "pro") -> tuple[Step, ...]:
    """Company ``company``, subscribed through session ``old``, moves to ``plan`` the Checkout
    way: session ``new`` for that plan is paid and fulfilled (the webhook first), then the old
    subscription is canceled. An upgrade or a downgrade: only which price is higher differs,
    and each session must be granted the plan it charged for (I10), the old one stay ended."""
    return (
        checkout(new, company=company, plan=plan),
        pay(new),
        webhook_before_success_page(new),
        cancel(old),
        deliver(),
    )


def webhook_retry_while_running() -> tuple[Step, Step]:
    """Stripe gives up waiting on the first attempt (held before it fulfils, past a 1 s
    timeout) and retries the same event while that attempt is still running: a delivery
    policy and the forced order, in that order."""
    return (
        webhook_policy(action="timeout", seconds=1, times=1, event_type="$fulfilment"),
        overtake(
            "fulfil.before_insert", deliver(), advance_clock(3600), deliver(), caller_gives_up=True
        ),
    )
