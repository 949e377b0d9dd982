from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

import duckdb

Values = Mapping[tuple[str, str, str], float]


def _insert(con, table: str, rows: list[tuple]) -> None:
    # one multi-row INSERT per chunk: DuckDB's executemany is slow row by row
    width = len(rows[0]) if rows else 0
    for i in range(0, len(rows), 200):
        chunk = rows[i:i + 200]
        marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
        con.execute(f"INSERT INTO {table} VALUES {marks}", [x for r in chunk for x in r])


def connect(name: str, values: Values, parents: Mapping[str, str]):
    """An in-process SQLite or DuckDB database holding the data."""
    con = sqlite3.connect(":memory:") if name == "sqlite" else duckdb.connect()
    con.execute("CREATE TABLE data_value (org TEXT, period TEXT, element TEXT, value REAL)")
    con.execute("CREATE TABLE org_parent (org TEXT, parent TEXT)")
    _insert(con, "data_value", [(*k, v) for k, v in values.items()])
    _insert(con, "org_parent", list(parents.items()))
    return con


def query(con, sql: str) -> dict[str, tuple]:
    return {r[0]: tuple(r[1:]) for r in con.execute(sql).fetchall()}


def _runner(name: str) -> Callable[[str, Values, Mapping[str, str]], dict[str, tuple]]:
    def run(sql: str, values: Values, parents: Mapping[str, str]) -> dict[str, tuple]:
        con = connect(name, values, parents)
        try:
            return query(con, sql)
        finally:
            con.close()

    return run


ENGINES = {"sqlite": _runner("sqlite"), "duckdb": _runner("duckdb")}
