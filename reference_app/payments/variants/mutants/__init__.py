"""Mutants: the ``correct`` variant with exactly one real-world bug put back, one module each."""
