"""Named scenarios, one per file."""
