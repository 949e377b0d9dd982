"""Roll-up over org trees: preorder runs and subtree sums against a brute-force walk up the parents."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hqd.trees import preorder, subtree_sum


@st.composite
def forests(draw):
    """A forest in any index order: each org's parent is drawn among orgs made before it, then shuffled."""
    n = draw(st.integers(1, 40))
    made = [-1] + [draw(st.integers(-1, k - 1)) for k in range(1, n)]
    perm = draw(st.permutations(range(n)))
    parent = np.full(n, -1)
    for k, p in enumerate(made):
        parent[perm[k]] = perm[p] if p >= 0 else -1
    return parent


def _brute(own: np.ndarray, parent: np.ndarray) -> np.ndarray:
    out = own.copy()
    for k in range(len(parent)):
        p = parent[k]
        while p >= 0:
            out[..., p] += own[..., k]
            p = parent[p]
    return out


@settings(max_examples=300, deadline=None)
@given(forests(), st.integers(0, 2**32 - 1))
def test_subtree_sum_equals_walking_up_the_parents(parent, seed):
    rng = np.random.default_rng(seed)
    own = rng.integers(-50, 50, (3, 2, len(parent))).astype(float)
    assert np.array_equal(subtree_sum(own, parent), _brute(own, parent))
    counts = rng.integers(0, 3, (2, len(parent))).astype(np.int32)
    assert np.array_equal(subtree_sum(counts, parent), _brute(counts, parent))


@settings(max_examples=200, deadline=None)
@given(forests())
def test_preorder_puts_each_subtree_in_one_run(parent):
    order, size = preorder(parent)
    assert sorted(order.tolist()) == list(range(len(parent)))
    position = np.empty(len(parent), dtype=int)
    position[order] = np.arange(len(parent))
    for k in range(len(parent)):
        p = parent[k]
        while p >= 0:  # every ancestor's run covers the org
            assert position[p] < position[k] < position[p] + size[p]
            p = parent[p]


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="循环"):
        preorder(np.array([-1, 2, 1]))
