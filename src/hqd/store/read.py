"""Bulk reads below the ORM: data values as NumPy arrays, for evaluating every org at once.

A province's evaluation reads millions of data values; one row object each would cost more than
the arithmetic. PostgreSQL packs them per element and period into binary arrays, each parsed with one
`np.frombuffer`; SQLite, in-process, is read in chunks of plain tuples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection
from sqlglot import exp

from .db import Store

_CHUNK = 200_000


@dataclass
class ValueRows:
    """Data values as index arrays into `orgs`, `elements` and `periods`; NaN for a NULL value.
    `parent[k]` is the index of org k's parent, -1 for a root."""

    orgs: list[str]
    parent: np.ndarray
    elements: list[str]
    periods: list[str]
    org_idx: np.ndarray
    element_idx: np.ndarray
    period_idx: np.ndarray
    value: np.ndarray


def _ids(conn: Connection, table: str, codes: list[str]) -> tuple[list[int], list[str]]:
    if not codes:
        return [], []
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    found = dict(conn.exec_driver_sql(
        f"SELECT code, id FROM {table} WHERE code IN ({', '.join(mark for _ in codes)})", tuple(codes)).fetchall())
    kept = [c for c in codes if c in found]
    return [found[c] for c in kept], kept


def _positions(ids: np.ndarray, known: list[int]) -> np.ndarray:
    order = np.argsort(known)
    return order[np.searchsorted(np.asarray(known)[order], ids)]


def read_values(store: Store, elements: Iterable[str], periods: Iterable[str], *,
                within: str | None = None) -> ValueRows:
    """Every stored value of the given elements and periods, with the org tree (the whole tree, or
    the subtree of the org coded `within`)."""
    element_codes, period_codes = list(dict.fromkeys(elements)), list(dict.fromkeys(periods))
    with store.engine.connect() as conn:
        mark = "%s" if conn.dialect.name == "postgresql" else "?"
        subtree = ""
        if within is not None:
            path = conn.exec_driver_sql(f"SELECT path FROM org WHERE code = {mark}", (within,)).scalar()
            if path is None:
                raise KeyError(within)
            subtree = f"substr(path, 1, {len(path)}) = {exp.Literal.string(path).sql(dialect='postgres')}"
        tree = conn.exec_driver_sql(
            f"SELECT id, code, parent_id FROM org {'WHERE ' + subtree if subtree else ''} ORDER BY id").fetchall()
        element_ids, element_codes = _ids(conn, "data_element", element_codes)
        period_ids, period_codes = _ids(conn, "period", period_codes)
        if element_ids and period_ids:
            where = (f"data_element_id IN ({', '.join(map(str, element_ids))}) "
                     f"AND period_id IN ({', '.join(map(str, period_ids))})")
            if subtree:
                where += f" AND org_id IN (SELECT id FROM org WHERE {subtree})"
            if conn.dialect.name == "postgresql":
                org_id, element_id, period_id, value = _read_postgres(conn, where)
            else:
                # SQLite would walk the period index and fetch row by row; over many periods a
                # plain scan of the table is several times faster
                org_id, element_id, period_id, value = _read_sqlite(conn, where, scan=len(period_ids) > 4)
        else:
            org_id = element_id = period_id = np.zeros(0, dtype=np.int64)
            value = np.zeros(0)
    org_ids = [r[0] for r in tree]
    at = {oid: k for k, oid in enumerate(org_ids)}
    parent = np.array([at.get(r[2], -1) if r[2] is not None else -1 for r in tree], dtype=np.int64)
    return ValueRows([r[1] for r in tree], parent, element_codes, period_codes, _positions(org_id, org_ids),
                     _positions(element_id, element_ids), _positions(period_id, period_ids), value)


def _read_sqlite(conn: Connection, where: str, scan: bool):
    # the DB-API cursor, not SQLAlchemy rows: NumPy probes each Row for the array protocol
    cur = conn.connection.driver_connection.cursor()
    cur.execute("SELECT org_id, data_element_id, period_id, value IS NULL, IFNULL(value, 0) "
                f"FROM data_value {'NOT INDEXED ' if scan else ''}WHERE {where}")
    parts = []
    while rows := cur.fetchmany(_CHUNK):
        parts.append(np.array(rows, dtype=float))
    table = np.concatenate(parts) if parts else np.zeros((0, 5))
    ids = table[:, :3].astype(np.int64)
    return ids[:, 0], ids[:, 1], ids[:, 2], np.where(table[:, 3] == 1, np.nan, table[:, 4])


def _read_postgres(conn: Connection, where: str):
    # One row per element and period, each with its orgs and values packed server-side as binary
    # arrays: a COPY would send a message per value, and reading millions of them one by one
    # costs more than the database's own work.
    sql = ("SELECT data_element_id, period_id, string_agg(int4send(org_id::int4), ''::bytea), "
           "string_agg(float8send(COALESCE(value, 'NaN')::float8), ''::bytea) "
           f"FROM data_value WHERE {where} GROUP BY data_element_id, period_id")
    elements, periods, orgs, values = [], [], [], []
    for element, period, org_bytes, value_bytes in conn.exec_driver_sql(sql).tuples():
        org = np.frombuffer(org_bytes, dtype=">i4")
        orgs.append(org)
        values.append(np.frombuffer(value_bytes, dtype=">f8"))
        elements.append(np.full(len(org), element, dtype=np.int64))
        periods.append(np.full(len(org), period, dtype=np.int64))
    if not orgs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    return (np.concatenate(orgs).astype(np.int64), np.concatenate(elements), np.concatenate(periods),
            np.concatenate(values).astype(float))
