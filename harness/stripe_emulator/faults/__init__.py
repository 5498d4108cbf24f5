"""Faults the emulator injects on command: webhook delivery policies and API faults.

Every rule is plain data (JSON-able), so a scenario file can hold it::

    {"action": "drop", "event_type": "checkout.session.completed", "times": 1}
    {"action": "error", "method": "POST", "path": "/v1/checkout/sessions", "status": 500, "first": 1}

Each action is one small module in ``delivery/`` or ``api/``, registered by name.
"""
