"""Bulk writes below the ORM: COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction.

Rows are tuples in column order, with timestamps already converted for the dialect (`db_time`),
so no per-row type processing is paid on a million-row import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from .errors import ConflictError

_CONFLICT = "写入时发现其他用户同时录入了相同的数据（机构、数据项、期间），请刷新后重试"


def db_time(conn: Connection, value: datetime) -> Any:
    """A UTC timestamp as the dialect stores it (SQLite: SQLAlchemy's text format)."""
    value = value.astimezone(UTC)
    if conn.dialect.name == "sqlite":
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def insert_rows(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        import psycopg

        raw = conn.connection.driver_connection
        try:
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.IntegrityError as exc:
            raise ConflictError(_CONFLICT) from exc
        return
    from sqlalchemy.exc import IntegrityError

    marks = ", ".join("?" for _ in columns)
    try:
        conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    except IntegrityError as exc:
        raise ConflictError(_CONFLICT) from exc


def update_versioned(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> int:
    """UPDATE … SET columns WHERE id = ? AND version = ?; each row is (*values, id, version). Returns rows matched."""
    if not rows:
        return 0
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    sets = ", ".join(f"{c} = {mark}" for c in columns)
    result = conn.exec_driver_sql(f"UPDATE {table} SET {sets} WHERE id = {mark} AND version = {mark}", rows)
    return result.rowcount
