"""pytest fixtures of the paychaos plugin, one module per part of the environment.

``harness.pytest_plugin`` re-exports them; tests and users never import these modules directly.
"""
