"""Variants of the payments logic, chosen by ``PAYMENTS_VARIANT``; one small module each.

``correct`` keeps every invariant; ``seed_original`` and ``seed_fix`` are the
incident's code and its hurried fix; ``mutant:M1`` ... ``mutant:M12`` each put
one real-world bug back into ``correct``. ``registry.get_variant`` builds one.
"""
