"""Org trees as parent-index arrays (-1 for a root) — shared by the store's bulk reads and the
vectorized evaluator.

In preorder every org's subtree is one contiguous run (the org, then all its descendants), so a
roll-up of many figures over the tree is one `np.add.reduceat` over contiguous memory instead of a
level-by-level scatter.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def preorder(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, size): the orgs in preorder, roots and siblings by index, and the size of each org's
    subtree (itself included), indexed by org. Raises ValueError on a cycle."""
    parent = np.asarray(parent, dtype=np.int64)
    n = len(parent)
    by_parent = np.argsort(parent, kind="stable")
    sorted_parent = parent[by_parent]
    first = np.searchsorted(sorted_parent, np.arange(-1, n), side="left")
    last = np.searchsorted(sorted_parent, np.arange(-1, n), side="right")
    kids = by_parent.tolist()
    order: list[int] = []
    # a stack of orgs to visit; children are pushed last-first so they are visited in index order
    stack = kids[first[0]:last[0]][::-1]
    while stack:
        o = stack.pop()
        order.append(o)
        stack.extend(kids[first[o + 1]:last[o + 1]][::-1])
    if len(order) != n:
        raise ValueError("机构树存在循环上级关系")
    out = np.array(order, dtype=np.int64)
    # subtree sizes, children before parents: reversed preorder
    size = np.ones(n, dtype=np.int64)
    for o in order[::-1]:
        p = parent[o]
        if p >= 0:
            size[p] += size[o]
    return out, size


def subtree_sum(own: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Each org's figure plus all its descendants' (last axis = org), exactly summed."""
    n = own.shape[-1]
    if n == 0:
        return own.copy()
    order, size = _preorder_cached(np.asarray(parent, dtype=np.int64).tobytes())
    in_order = np.array_equal(order, np.arange(n))
    x = own if in_order else own[..., order]
    size = size[order]
    regions = np.flatnonzero(size > 1)  # a leaf's subtree is itself
    out = x.copy()
    if len(regions):
        pad = np.concatenate([x, np.zeros((*x.shape[:-1], 1), dtype=x.dtype)], axis=-1)
        bounds = np.column_stack([regions, regions + size[regions]]).ravel()
        # [start, end) of each region's run at the even positions; what lies between runs, dropped
        out[..., regions] = np.add.reduceat(pad, bounds, axis=-1)[..., ::2]
    if in_order:
        return out
    back = np.empty_like(out)
    back[..., order] = out
    return back


@lru_cache(maxsize=16)
def _preorder_cached(parent: bytes) -> tuple[np.ndarray, np.ndarray]:
    return preorder(np.frombuffer(parent, dtype=np.int64))
