"""Webhook signing and delivery over real HTTP, on the emulator clock."""
