"""The broker is blackholed: the publish neither fails nor succeeds, it waits.

``.delay()`` against a broker that accepts the connection and never answers hangs for the
socket timeout, forever without one (celery/celery#4296: ``delay`` and ``apply_async``
waiting forever with Redis paused; celery/celery#1305 for RabbitMQ). In the request that is a
webhook Stripe times out on and a success page left spinning; the work must still be done
once, after heal.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="broker-blackholed",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.fault("broker", "blackhole"),
        s.deliver(),
        s.validate("s1"),
        s.heal(),
    ),
    # A publish waits a second, as with a production socket timeout, not the harness's 0.25 s.
    app_env={"BROKER_SOCKET_TIMEOUT": "1.0", "BROKER_CONNECT_TIMEOUT": "1.0"},
)
