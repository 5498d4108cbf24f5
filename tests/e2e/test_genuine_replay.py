"""A captured genuine delivery replayed past the tolerance, when it cannot be: the run says
why it tested nothing, never "bad input" (exit 2) for a schedule that is valid."""

from __future__ import annotations

from paychaos.runner import run_scenario
from paychaos.scenarios import get_scenario
from paychaos.schedule import Scenario
from paychaos.schedule import step as s


def test_a_replay_signed_by_a_clock_moved_ahead_is_not_exercised(paychaos_env):
    paychaos_env.switch_variant("correct")
    genuine = get_scenario("genuine-replay-after-tolerance")
    scenario = Scenario(
        name="replay-after-the-clock-moved",
        story="Stripe's clock moved an hour ahead, then a genuine delivery is captured.",
        steps=(s.advance_clock(3600), *genuine.steps),
        app_env=genuine.app_env,
    )
    result = run_scenario(paychaos_env, scenario, seed=0)
    assert "never replayed" in (result.unexercised or ""), result.unexercised
    assert "clock was moved ahead" in result.unexercised
    assert not result.broken, [v.message for v in result.violations]
