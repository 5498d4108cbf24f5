"""The worker is killed while it provisions the account, before the work is done.

An OOM kill, a deploy that SIGKILLs the pool, a host that dies. With Celery's default the
message was acknowledged when the worker took it, so the task is gone with the worker: the
account is never provisioned (Celery's docs on ``acks_late``; celery/celery#6229 and #5306
show what late acknowledgement and the Redis visibility timeout do instead). After the
worker is back, the task must still run, once.
"""

from paychaos.schedule import Scenario
from paychaos.schedule import step as s

SCENARIO = Scenario(
    name="worker-killed-mid-task",
    story=__doc__,
    steps=(
        s.checkout("s1"),
        s.pay("s1"),
        s.deliver(),
        s.process("worker", "kill_mid_task"),
        s.validate("s1"),
        s.heal(),
    ),
    # The first run of provision_account waits before its work: the kill lands inside it.
    app_env={"TASK_HOLD": "provision_account:before_effect:30"},
)
