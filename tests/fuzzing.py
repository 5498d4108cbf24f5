"""What the fuzz tests share: bounded, repeatable Hypothesis settings and any-JSON values."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz_settings(max_examples: int) -> settings:
    """A fixed number of examples, the same ones every run, no example database, no deadline
    (a busy machine is slow, not wrong)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def any_json(
    words: list[str], keys: st.SearchStrategy[str], max_leaves: int = 12
) -> st.SearchStrategy[object]:
    """Any JSON value: scalars of every type (huge numbers, floats, text, the API's own
    ``words``), nested in lists and objects whose keys come mostly from ``keys``."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.sampled_from(words),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(keys, st.text(max_size=6)), inner, max_size=5),
        ),
        max_leaves=max_leaves,
    )
