"""``paychaos services``: placeholder until the embedded services land."""
