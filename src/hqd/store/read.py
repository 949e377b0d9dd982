"""Bulk reads below the ORM: data values as NumPy arrays, for evaluating every org at once.

A province's evaluation reads millions of data values; one row object each would cost more than
the arithmetic. They come from the value cache (hqd.store.value_cache), brought up to date with
the rows written since it was last read, as one dense [element, period, org] array.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection
from sqlglot import exp

from hqd.trees import preorder

from . import value_cache
from .db import Store


@dataclass
class ValueCube:
    """Data values as [element, period, org], NaN where there is none (or NULL).
    Orgs are in preorder; `parent[k]` is the index of org k's parent, -1 for a root."""

    orgs: list[str]
    parent: np.ndarray
    elements: list[str]
    periods: list[str]
    value: np.ndarray


def _ids(conn: Connection, table: str, codes: list[str]) -> tuple[list[int], list[str]]:
    if not codes:
        return [], []
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    found = dict(conn.exec_driver_sql(
        f"SELECT code, id FROM {table} WHERE code IN ({', '.join(mark for _ in codes)})", tuple(codes)).fetchall())
    kept = [c for c in codes if c in found]
    return [found[c] for c in kept], kept


def read_cube(store: Store, elements: Iterable[str], periods: Iterable[str], *,
              within: str | None = None) -> ValueCube:
    """Every stored value of the given elements and periods (unknown codes left out), with the
    org tree: the whole tree, or the subtree of the org coded `within`."""
    element_codes, period_codes = list(dict.fromkeys(elements)), list(dict.fromkeys(periods))
    with store.engine.connect() as conn:
        mark = "%s" if conn.dialect.name == "postgresql" else "?"
        subtree = ""
        if within is not None:
            path = conn.exec_driver_sql(f"SELECT path FROM org WHERE code = {mark}", (within,)).scalar()
            if path is None:
                raise KeyError(within)
            subtree = f"WHERE substr(path, 1, {len(path)}) = {exp.Literal.string(path).sql(dialect='postgres')}"
        tree = conn.exec_driver_sql(f"SELECT id, code, parent_id FROM org {subtree} ORDER BY id").fetchall()
        at = {r[0]: k for k, r in enumerate(tree)}
        parent = np.array([at.get(r[2], -1) for r in tree], dtype=np.int64)
        order, _size = preorder(parent)  # preorder: each subtree contiguous, for the roll-up
        rank = np.empty(len(order) + 1, dtype=np.int64)
        rank[order], rank[-1] = np.arange(len(order)), -1  # rank[-1]: a root's parent stays -1
        parent = rank[parent[order]]
        tree = [tree[k] for k in order]
        element_ids, element_codes = _ids(conn, "data_element", element_codes)
        period_ids, period_codes = _ids(conn, "period", period_codes)
        cache = value_cache.current(store, conn)
        with cache.lock:
            value = cache.dense(element_ids, period_ids, np.array([r[0] for r in tree], dtype=np.int64))
    return ValueCube([r[1] for r in tree], parent, element_codes, period_codes, value)
