"""One real purchase, end to end, and the webhook endpoint's promises, on the correct variant."""

from __future__ import annotations

import json

import requests

from paychaos.runner import run_scenario
from paychaos.schedule import Scenario
from paychaos.schedule import step as s


def inline(*steps):
    return Scenario(name="inline", story="A schedule written in a test.", steps=tuple(steps))


def test_a_company_buys_a_plan_and_everything_real_agrees(paychaos_env):
    """Checkout through the stripe library, payment in the emulator, a signed webhook over HTTP,
    exactly one subscription and payment, validate says success, and the browser's websocket
    (open before the payment) hears the activation through Redis."""
    paychaos_env.switch_variant("correct")
    result = run_scenario(
        paychaos_env, inline(s.checkout("s1"), s.pay("s1"), s.deliver(), s.validate("s1"))
    )
    assert result.kept, result.violations
    session = result.state.sessions[0]
    assert (session.status, session.payment_status) == ("complete", "paid")
    active = [sub for sub in result.state.subscriptions if sub.active]
    assert [sub.checkout_session_id for sub in active] == [session.id]
    assert [p.checkout_session_id for p in result.state.payments] == [session.id]
    completed = [d for d in result.state.deliveries if d.event_type == "checkout.session.completed"]
    assert [d.http_status for d in completed] == [200]
    told = [e.value["told"] for e in result.history if e.name == "validate" and e.type == "ok"]
    assert told and told[0] == "success"
    heard = [n for n in result.state.notifications if n.session_id == session.id]
    assert heard, "the websocket opened before the payment never heard the activation"
    assert session.company_id in result.state.observed_companies


def test_a_bad_signature_gets_400_and_changes_nothing(paychaos_env):
    paychaos_env.switch_variant("correct")
    result = run_scenario(
        paychaos_env, inline(s.checkout("s1"), s.forge("s1", kind="bad_signature"))
    )
    forged = [e for e in result.history if e.name == "forge" and e.type == "ok"]
    assert forged[0].value["http_status"] == 400
    assert result.state.subscriptions == () and result.state.payments == ()
    assert result.kept, result.violations


def test_the_same_event_delivered_twice_makes_one_subscription(paychaos_env):
    paychaos_env.switch_variant("correct")
    result = run_scenario(
        paychaos_env,
        inline(
            s.checkout("s1"),
            s.webhook_policy(action="duplicate", event_type="checkout.session.completed", copies=2),
            s.pay("s1"),
            s.deliver(),
        ),
    )
    completed = [d for d in result.state.deliveries if d.event_type == "checkout.session.completed"]
    assert len(completed) >= 2
    assert len(result.state.subscriptions) == 1 and len(result.state.payments) == 1
    assert result.kept, result.violations


def test_an_unpaid_completed_session_gets_no_subscription_until_the_money_arrives(paychaos_env):
    paychaos_env.switch_variant("correct")
    before = run_scenario(
        paychaos_env,
        inline(s.checkout("s1"), s.pay("s1", outcome="delayed"), s.deliver(), s.validate("s1")),
    )
    assert before.state.subscriptions == ()
    told = [e.value["told"] for e in before.history if e.name == "validate" and e.type == "ok"]
    assert told[0] == "pending"
    after = run_scenario(
        paychaos_env,
        inline(
            s.checkout("s1"),
            s.pay("s1", outcome="delayed"),
            s.deliver(),
            s.async_result("s1", succeeded=True),
            s.deliver(),
        ),
    )
    assert [sub.status for sub in after.state.subscriptions] == ["active"]
    assert after.kept, after.violations


def test_validate_before_the_webhook_fulfils_once_and_the_later_webhook_changes_nothing(
    paychaos_env,
):
    paychaos_env.switch_variant("correct")
    result = run_scenario(
        paychaos_env, inline(s.checkout("s1"), s.pay("s1"), s.validate("s1"), s.deliver())
    )
    assert len(result.state.subscriptions) == 1 and len(result.state.payments) == 1
    completed = [d for d in result.state.deliveries if d.event_type == "checkout.session.completed"]
    assert completed and completed[0].acknowledged
    assert result.kept, result.violations


def test_the_success_page_is_served_and_calls_validate(paychaos_env):
    page = requests.get(f"{paychaos_env.app.base_url}/payments/success/?session_id=cs_x", timeout=5)
    assert page.status_code == 200
    assert "/api/payments/validate/" in page.text and "Payment failed" in page.text


def test_the_history_is_written_as_json_lines(paychaos_env, tmp_path):
    paychaos_env.switch_variant("correct")
    path = tmp_path / "h.jsonl"
    run_scenario(paychaos_env, inline(s.checkout("s1"), s.pay("s1")), history_path=path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert {"invoke", "ok"} <= {line["type"] for line in lines}
    assert all({"process", "type", "name", "value", "time"} <= set(line) for line in lines)
