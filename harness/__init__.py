"""paychaos: a testing harness and fault-injection simulator for webhook-driven payment flows.

The engine lives here, one folder per part of the design:

- ``services``        embedded Postgres and Redis (or external ones, by URL)
- ``stripe_emulator`` a stateful Stripe API that delivers signed webhooks
- ``faults``          the Toxiproxy-compatible proxy, process faults
- ``failpoints``      named failure points inside the app under test
- ``app``             the adapter that drives the app under test
- ``history``         every operation and fault as an event
- ``invariants``      the product's promises I1-I8 as pure checkers
"""

__version__ = "0.1.0"
