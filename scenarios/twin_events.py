"""Stripe emits two distinct events (two ids) for the one change that fulfils the session.

Stripe documents that an endpoint may receive an event more than once; it may also send
two events describing one change (and several events fire for one payment). Deduplicating
on the event id is then not enough: the second event must find the session already
fulfilled (I1, I3).
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="twin-events",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.webhook_policy(action="twin", event_type="$fulfilment"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
)
