"""End-to-end tests: the whole environment (real Postgres, Redis, emulator, proxies, app server).

One environment serves every test in this folder (``paychaos_env``, session
scope); each run resets it.
"""
