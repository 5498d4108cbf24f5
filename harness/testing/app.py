"""pytest fixtures for the app part of the environment."""
