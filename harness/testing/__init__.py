"""pytest fixtures of the paychaos plugin, one module per part of the environment.

``paychaos.pytest_plugin`` re-exports them; tests and users never import these modules directly.
"""
