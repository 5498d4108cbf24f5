"""The emulator response contract, generated from the official Stripe libraries."""
