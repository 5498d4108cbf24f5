"""The receipt task runs longer than the broker's visibility timeout, and runs again meanwhile.

kombu's Redis transport puts an unacknowledged message back on its queue once the visibility
timeout has passed, whether or not a worker is still running it; with ``acks_late`` a slow
task is then run a second time, concurrently (celery/celery#5306, #5935; kombu's docs on
``visibility_timeout``; dimagi/open-chat-studio#4084). The customer must get one receipt.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="task-outlives-visibility-timeout",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.validate("s1"),
    ),
    # The first run of send_receipt takes 9 s after its work; the visibility timeout is 2 s,
    # looked for every second. 5 s let a busy worker miss the second run once in CI.
    app_env={"TASK_HOLD": "send_receipt:after_effect:9"},
    # Nothing in the steps breaks the task side: the situation is the hold alone.
    needs=("tasks",),
)
