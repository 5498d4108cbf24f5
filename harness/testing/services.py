"""pytest fixtures for the services part of the environment."""
