"""An attacker captured a genuine webhook and sends it again, byte for byte, once its
signature is older than the app's tolerance.

Body and signature are Stripe's own, so only the signature's timestamp tells the replay
apart; stripe-python's check refuses it past the tolerance (300 s by default). Here the
app is given a 20 s tolerance so the run waits 20 s, not five minutes (the emulator signs
with its own clock, reset to the wall clock at each run's start, so a shorter tolerance
would refuse the genuine first delivery too). It must refuse the
replay (I6) and nothing may change (I1, I3). An app whose adapter does not say which
setting holds its tolerance (``traits.webhook_tolerance_setting``) is not sent the replay.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="genuine-replay-after-tolerance",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.replay_genuine(),
    ),
    app_env={"STRIPE_WEBHOOK_TOLERANCE": "20"},
)
