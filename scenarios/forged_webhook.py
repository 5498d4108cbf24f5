"""Someone posts the event the app fulfils on (checkout.session.completed for the reference app)
for an unpaid session, without Stripe's signature.

The webhook URL is public. Bad signatures, no signature, a secret from
another endpoint and an old replayed timestamp must all be refused (4xx) and
change nothing.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="forged-webhook",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.forge("s1", kind="bad_signature"),
        s.forge("s1", kind="unsigned"),
        s.forge("s1", kind="wrong_secret"),
        s.forge("s1", kind="stale"),
        s.forge("invented", kind="bad_signature"),
        s.validate("s1"),
    ),
)
