"""The worker is killed after the account is provisioned, before the task is acknowledged.

With ``acks_late`` the broker gives the message to a worker again once the visibility timeout
has passed, which is what saves a task killed mid-run, and also what runs a finished one a
second time: a task acknowledged late must be idempotent (Celery's docs; celery/celery#5306,
dimagi/open-chat-studio#4084). The account must be provisioned once, not twice.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="worker-killed-after-effect",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.process("worker", "kill_mid_task"),
        s.validate("s1"),
        s.heal(),
    ),
    # The first run of provision_account waits after its work, before it returns.
    app_env={"TASK_HOLD": "provision_account:after_effect:30"},
)
