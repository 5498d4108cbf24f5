"""pytest fixtures for the emulator part of the environment."""
