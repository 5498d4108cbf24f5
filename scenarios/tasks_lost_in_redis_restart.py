"""Redis restarts empty while the post-payment tasks wait in it for a worker.

A Redis broker that restarts without persistence loses every queued message: the tasks were
"sent", the app moved on, and nothing will ever run them (celery/celery#1789: tasks lost when
the Redis broker went down and up; apache/airflow#28941: tasks stuck queued after the Redis
container restarted). An app whose tasks matter must know what it still owes and send it again.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="tasks-lost-in-redis-restart",
    story=__doc__,
    steps=(
        s.process("worker", "stop"),
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
        s.process("redis", "restart"),
        s.process("worker", "start"),
    ),
)
