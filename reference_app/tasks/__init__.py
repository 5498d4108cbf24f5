"""The reference app's task side: work that follows an activation, run by a Celery worker.

Two tasks follow every activation: ``provision_account`` (the account is set up in the
provisioning system) and ``send_receipt`` (the receipt mail leaves). Each leaves one
``TaskEffect`` row per run, which the harness reads straight from the database: a lost task
leaves none, a task run twice leaves two, a task run for a fulfilment that rolled back leaves
one naming a subscription the app does not hold.

The broker is Redis (``BROKER_URL``); without it the app has no task side and dispatches
nothing. How a task is dispatched and how its body guards against a second run is the
variant's business (``Variant.dispatch_activation_tasks``, ``Variant.run_task``).
"""
