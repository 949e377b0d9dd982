"""Backup and restore as JSON lines, independent of the database kind.

A backup taken from SQLite restores into PostgreSQL and the other way round. Line 1 is a header
(format, schema revision), then one line per row in foreign-key order, then a closing line with
row counts, so a truncated file is refused rather than half restored.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Date, DateTime, Table, func, insert, select, text

from .db import Store, current_revision, head_revision, upgrade
from .errors import StoreError
from .models import Base, UTCDateTime

FORMAT = "hqd-backup"
VERSION = 1
_BATCH = 2000


def backed_up() -> list[Table]:
    """The tables a backup holds, in foreign-key order (not the database's own id)."""
    return [t for t in Base.metadata.sorted_tables if t.info.get("backup", True)]


def _open(path: Path, mode: str, *, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decoders(table: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.columns:
        if isinstance(col.type, UTCDateTime | DateTime):
            out[col.name] = datetime.fromisoformat
        elif isinstance(col.type, Date):
            out[col.name] = date.fromisoformat
    return out


def _rows(conn, table: Table) -> Iterator[dict[str, Any]]:
    order = table.c.id if "id" in table.c else list(table.primary_key.columns)[0]
    result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(select(table).order_by(order))
    for row in result.mappings():
        yield dict(row)


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Org rows ordered so that every parent comes before its children."""
    by_id = {r["id"]: r for r in rows}
    out: list[dict[str, Any]] = []
    done: set[int] = set()
    for r in rows:
        chain = []
        cur: dict[str, Any] | None = r
        while cur is not None and cur["id"] not in done and cur not in chain:
            chain.append(cur)
            cur = by_id.get(cur["parent_id"]) if cur["parent_id"] is not None else None
        for c in reversed(chain):
            done.add(c["id"])
            out.append(c)
    return out


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """One read transaction over every table, so a backup taken while users write is a state the store
    really had: REPEATABLE READ on PostgreSQL (a snapshot; writers go on), an explicit BEGIN on SQLite
    (its shared lock holds writers' commits back until the backup is read, within their busy timeout)."""
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            yield conn
    else:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()


def backup(store: Store, path: Path) -> dict[str, int]:
    """Write every table to `path` (JSON lines; gzip when it ends in .gz). Returns row counts."""
    counts: dict[str, int] = {}
    tmp = path.with_name(path.name + ".part")
    with _snapshot(store) as conn, _open(tmp, "w", gz=path.suffix == ".gz") as out:
        header = {"format": FORMAT, "version": VERSION, "revision": current_revision(store.engine),
                  "dialect": store.dialect, "created_at": datetime.now().astimezone().isoformat()}
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for table in backed_up():
            rows: Iterator[dict[str, Any]] = _rows(conn, table)
            if table.name == "org":
                rows = iter(_parents_first(list(rows)))
            n = 0
            for row in rows:
                out.write(json.dumps({"t": table.name, "r": {k: _encode(v) for k, v in row.items()}},
                                     ensure_ascii=False) + "\n")
                n += 1
            counts[table.name] = n
        out.write(json.dumps({"end": True, "counts": counts}) + "\n")
    tmp.replace(path)
    return counts


def _is_empty(store: Store) -> bool:
    with store.engine.connect() as conn:
        return all(conn.scalar(select(func.count()).select_from(t)) == 0 for t in backed_up())


def restore(store: Store, path: Path) -> dict[str, int]:
    """Load a backup into an empty database (created or upgraded first). All or nothing."""
    if not path.is_file():
        raise StoreError(f"{path}：备份文件不存在")
    upgrade(store.engine)
    if not _is_empty(store):
        raise StoreError("目标数据库不是空的：恢复只能写入空数据库，请新建一个数据库后再恢复")
    tables = {t.name: t for t in backed_up()}
    decoders = {name: _decoders(t) for name, t in tables.items()}
    counts: dict[str, int] = {}
    try:
        with _open(path, "r") as f, store.engine.begin() as conn:
            try:
                header = json.loads(f.readline())
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise StoreError(f"{path}：不是 hqd 备份文件") from exc
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise StoreError(f"{path}：不是 hqd 备份文件")
            if header.get("revision") != head_revision():
                raise StoreError(
                    f"{path}：备份的数据库结构版本为 {header.get('revision')}，当前程序为 {head_revision()}，"
                    "请使用相同版本的 hqd 恢复"
                )
            batch: list[dict[str, Any]] = []
            batch_table: str | None = None
            ended: dict[str, Any] | None = None

            def flush() -> None:
                if batch and batch_table:
                    conn.execute(insert(tables[batch_table]), batch)
                    batch.clear()

            for lineno, line in enumerate(f, 2):
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise StoreError(f"{path} 第 {lineno} 行：内容损坏，未恢复任何数据") from exc
                if rec.get("end"):
                    ended = rec
                    break
                name = rec.get("t")
                if name not in tables:
                    raise StoreError(f"{path} 第 {lineno} 行：未知的数据表“{name}”，未恢复任何数据")
                if name != batch_table or len(batch) >= _BATCH:
                    flush()
                    batch_table = name
                row = rec["r"]
                for col, dec in decoders[name].items():
                    if row.get(col) is not None:
                        row[col] = dec(row[col])
                batch.append(row)
                counts[name] = counts.get(name, 0) + 1
            flush()
            if ended is None:
                raise StoreError(f"{path}：备份文件不完整（缺少结束标记），未恢复任何数据")
            expected = {k: v for k, v in ended.get("counts", {}).items() if v}
            if expected != counts:
                raise StoreError(f"{path}：备份文件的行数与结束标记不符，未恢复任何数据")
            if conn.dialect.name == "postgresql":
                for name in counts:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    ))
    except StoreError:
        raise
    except Exception as exc:  # a database refusing a row: report it, the transaction is rolled back
        raise StoreError(f"{path}：恢复失败，未写入任何数据（{type(exc).__name__}: {str(exc).splitlines()[0]}）") from exc
    return counts
