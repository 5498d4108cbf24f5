"""pytest fixtures for the proxy part of the environment."""
