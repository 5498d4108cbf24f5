"""The task broker refuses connections while the webhook queues the post-payment tasks.

Redis is often two things at once in a Django payments app: the Channels layer and the Celery
broker. With the broker down, ``.delay()`` in the request cannot publish: with kombu's retries
exhausted it raises ``OperationalError`` (older versions hung instead: celery/celery#4296,
#4556; celery/kombu#1463). Called inside the fulfilling transaction it takes the activation
down with it; guarded only for Channels (the incident's fix) it still fails the webhook, and
the fallback that activates without Redis queues no task at all. After heal, every activation
must still get its account provisioned and its receipt, exactly once.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="broker-down-at-dispatch",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("broker", "down"),
        s.deliver(),
        s.validate("s1"),
        s.retry_webhooks(),
        s.heal(),
    ),
)
