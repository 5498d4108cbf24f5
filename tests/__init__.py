"""paychaos's own tests."""
