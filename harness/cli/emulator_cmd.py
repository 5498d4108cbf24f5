"""``paychaos emulator``: placeholder until the Stripe emulator lands."""
