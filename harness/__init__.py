"""paychaos: a testing harness and fault-injection simulator for webhook-driven payment flows.

The engine lives here, one folder or module per part of the design; data flows one way,
scenario -> runner -> history -> checkers -> report:

- ``services``        embedded Postgres and Redis (or external ones, by URL)
- ``stripe_emulator`` a stateful Stripe API that delivers signed webhooks
- ``faults``          the Toxiproxy-compatible proxy; ``nemesis`` breaks and heals
- ``failpoints``      named failure points inside the app under test (standard library only)
- ``app``             the adapter protocol that drives the app under test
- ``environment``     wiring and lifecycle; ``final_state`` reads what it holds at the end
- ``schedule``        steps and scenarios as data; ``strategies`` generates them
- ``runner``          runs a schedule and owns the history
- ``history``         every operation and fault as an event
- ``invariants``      the product's promises as pure checkers
- ``cli``, ``testing`` the composition roots: they choose the app, the scenarios, the strategy

``paychaos.scenarios``, ``paychaos.fixtures`` and ``paychaos.reference_app`` are content,
never imported by the engine.
"""

__version__ = "0.1.0"
