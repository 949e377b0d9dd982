"""A columnar copy of the data values, kept current from the table's changes.

A province's evaluation needs every value of every element and period it looks at: 14.6 M of
them for 5,000 orgs × 150 indicators × 20 quarters, which take PostgreSQL longer to send than the
whole evaluation may take. The cache holds them as dense blocks, one row of values by org id per
element × period, and before every use reads only the rows written since its last refresh (by the
indexed `data_value.updated_at`, and any id above the highest it has seen), so a value entered a
moment ago is in the next evaluation with no "run analytics" step. Values are overwritten, never
deleted, so applying a row twice is harmless: each refresh reads again a margin before the last
one (`value_cache_lag`) to catch transactions that were still open then.

The cache lives in memory per process and is saved beside the database (next to a SQLite file, or
under data_dir/cache) so that the next command starts from it. The database's own id
(`store_instance`) ties a saved cache to the one database it was read from: a database dropped and
created again at the same address, or a rebuilt demo file, starts a new cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from hqd.config import load_settings

from .bulk import db_time
from .db import Store

_CHUNK = 200_000
_SAVE_EVERY = 60.0  # seconds: a busy server saves its cache at most this often
_FORMAT = 1


class ValueCache:
    """Data values by (element id, period id) block and org id; NaN where there is none (or NULL)."""

    def __init__(self, instance: str, path: Path | None):
        self.instance = instance
        self.path = path
        self.lock = threading.Lock()
        self._saved_at = -_SAVE_EVERY  # monotonic time of the last save: the first change is saved at once
        self._unsaved = False
        self._empty()

    def _empty(self) -> None:
        self.block: dict[tuple[int, int], int] = {}
        self.values = np.full((0, 0), np.nan)
        self.since: datetime | None = None  # start of the last refresh; None: never read
        self.max_id = 0
        self.last_key: tuple[int, int, int] | None = None  # (org, element, period) of row max_id

    # ── reading out ──

    def dense(self, element_ids: list[int], period_ids: list[int], org_ids: np.ndarray) -> np.ndarray:
        """Values as [element, period, org] for the given ids (NaN where none). Call under `lock`."""
        out = np.full((len(element_ids), len(period_ids), len(org_ids)), np.nan)
        rows = np.array([self.block.get((e, p), -1) for e in element_ids for p in period_ids], dtype=np.int64)
        found = np.flatnonzero(rows >= 0)
        inside = np.flatnonzero(org_ids < self.values.shape[1])  # orgs newer than every value have none
        if not len(found) or not len(inside):
            return out
        flat = out.reshape(-1, len(org_ids))
        picked = np.take(self.values[rows[found]], org_ids[inside], axis=1)
        if len(inside) == len(org_ids):
            flat[found] = picked
        else:
            flat[np.ix_(found, inside)] = picked
        return out

    # ── keeping current ──

    def refresh(self, conn: Connection, lag: float) -> int:
        """Apply the rows written since the last refresh (all of them the first time). Returns how many."""
        start = datetime.now(UTC)
        if self.since is not None and _key_of(conn, self.max_id) != self.last_key:
            # the newest row it saw is gone or another: the database file was replaced by a copy
            self._empty()  # the lock stays: other threads wait on it
        if self.since is None:
            top = conn.exec_driver_sql("SELECT MAX(id) FROM data_value").scalar() or 0
            org, element, period, value = _read(conn, "", {})
        else:
            mark = "%(since)s" if conn.dialect.name == "postgresql" else ":since"
            since = db_time(conn, self.since - timedelta(seconds=lag))
            top = conn.exec_driver_sql(f"SELECT MAX(id) FROM data_value WHERE id > {int(self.max_id)}").scalar()
            org, element, period, value = _read(
                conn, f"updated_at >= {mark} OR id > {int(self.max_id)}", {"since": since})
        self._apply(org, element, period, value)
        if top:
            self.max_id, self.last_key = top, _key_of(conn, top)
        self.since = start
        if len(org):
            self._unsaved = True
        return len(org)

    def _apply(self, org: np.ndarray, element: np.ndarray, period: np.ndarray, value: np.ndarray) -> None:
        if not len(org):
            return
        # block row of each (element, period) through a lookup table: ids are small, no sort needed
        row_of = np.full((int(element.max()) + 1, int(period.max()) + 1), -1, dtype=np.int64)
        row_of[element, period] = 0
        for e, p in np.argwhere(row_of == 0).tolist():
            row_of[e, p] = self.block.setdefault((e, p), len(self.block))
        self._fit(len(self.block), int(org.max()) + 1)
        self.values[row_of[element, period], org] = value

    def _fit(self, n_blocks: int, width: int) -> None:
        have_rows, have_width = self.values.shape
        if n_blocks <= have_rows and width <= have_width:
            return
        # grow by half again so a stream of new orgs or periods does not copy the cache each time
        rows = have_rows if n_blocks <= have_rows else max(n_blocks, int(have_rows * 1.5) + 16)
        cols = have_width if width <= have_width else max(width, int(have_width * 1.1) + 16)
        grown = np.full((rows, cols), np.nan)
        grown[:have_rows, :have_width] = self.values
        self.values = grown

    # ── saving ──

    def save_if_due(self) -> None:
        if self.path is None or not self._unsaved or time.monotonic() - self._saved_at < _SAVE_EVERY:
            return
        keys = np.array(sorted(self.block, key=self.block.get), dtype=np.int64).reshape(-1, 2)
        meta = {"format": _FORMAT, "instance": self.instance, "since": self.since.isoformat() if self.since else None,
                "max_id": self.max_id, "last_key": self.last_key}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                np.savez(f, meta=np.array(json.dumps(meta)), keys=keys, values=self.values[:len(keys)])
            os.replace(tmp, self.path)  # readers see the old file or the new one, never half of one
        except OSError:
            return  # an unwritable folder costs the next process a full read, nothing else
        self._saved_at = time.monotonic()
        self._unsaved = False

    @classmethod
    def load(cls, instance: str, path: Path | None) -> ValueCache:
        cache = cls(instance, path)
        if path is None or not path.is_file():
            return cache
        try:
            with np.load(path) as f:
                meta = json.loads(str(f["meta"]))
                if meta.get("format") != _FORMAT or meta.get("instance") != instance or not meta.get("since"):
                    return cache
                keys, values = f["keys"], f["values"]
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return cache  # unreadable: start again from the database
        cache.block = {(int(e), int(p)): k for k, (e, p) in enumerate(keys.tolist())}
        cache.values = values
        cache.since = datetime.fromisoformat(meta["since"])
        cache.max_id = int(meta["max_id"])
        cache.last_key = tuple(meta["last_key"]) if meta.get("last_key") else None
        return cache  # not saved since it was loaded: the first refresh that finds changes saves them


# ── one cache per database, per process ──

_caches: dict[tuple[str, str], ValueCache] = {}
_registry = threading.Lock()


def cache_path(store: Store) -> Path | None:
    settings = load_settings()
    if not settings.value_cache_file:
        return None
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        db = Path(url.database)
        return db.with_name(db.name + ".values.npz")
    key = hashlib.sha256(make_url(str(url)).render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return settings.data_dir / "cache" / f"values-{key}.npz"


def _key_of(conn: Connection, row_id: int) -> tuple[int, int, int] | None:
    found = conn.exec_driver_sql(
        f"SELECT org_id, data_element_id, period_id FROM data_value WHERE id = {int(row_id)}").first()
    return tuple(found) if found else None


def _instance(conn: Connection) -> str:
    found = conn.exec_driver_sql("SELECT id FROM store_instance").scalar()
    if found is None:
        raise RuntimeError("数据库缺少实例标识（store_instance），请运行 hqd db upgrade")
    return found


def current(store: Store, conn: Connection) -> ValueCache:
    """The store's value cache, brought up to date on `conn`; use it under its `lock`."""
    instance = _instance(conn)
    key = (store.engine.url.render_as_string(hide_password=False), instance)
    with _registry:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = ValueCache.load(instance, cache_path(store))
    with cache.lock:
        cache.refresh(conn, load_settings().value_cache_lag)
        cache.save_if_due()
    return cache


def forget(store: Store) -> None:
    """Drop this process's caches of the store's address (the saved file stays)."""
    url = store.engine.url.render_as_string(hide_password=False)
    with _registry:
        for key in [k for k in _caches if k[0] == url]:
            del _caches[key]


# ── reading rows ──


def _read(conn: Connection, where: str, params: dict):
    if conn.dialect.name == "postgresql":
        return _read_postgres(conn, where, params)
    return _read_sqlite(conn, where, params)


def _read_sqlite(conn: Connection, where: str, params: dict):
    # the DB-API cursor, not SQLAlchemy rows: NumPy probes each Row for the array protocol
    cur = conn.connection.driver_connection.cursor()
    cur.execute("SELECT org_id, data_element_id, period_id, value IS NULL, IFNULL(value, 0) FROM data_value"
                + (f" WHERE {where}" if where else ""), params)
    parts = []
    while rows := cur.fetchmany(_CHUNK):
        parts.append(np.array(rows, dtype=float))
    table = np.concatenate(parts) if parts else np.zeros((0, 5))
    ids = table[:, :3].astype(np.int64)
    return ids[:, 0], ids[:, 1], ids[:, 2], np.where(table[:, 3] == 1, np.nan, table[:, 4])


def _read_postgres(conn: Connection, where: str, params: dict):
    # One row per element and period, each with its orgs and values packed server-side as binary
    # arrays: a COPY would send a message per value, and reading millions of them one by one
    # costs more than the database's own work.
    sql = ("SELECT data_element_id, period_id, string_agg(int4send(org_id::int4), ''::bytea), "
           "string_agg(float8send(COALESCE(value, 'NaN')::float8), ''::bytea) FROM data_value"
           + (f" WHERE {where}" if where else "") + " GROUP BY data_element_id, period_id")
    elements, periods, orgs, values = [], [], [], []
    cur = conn.connection.driver_connection.cursor()
    cur.execute(sql, params or None)
    for element, period, org_bytes, value_bytes in cur:
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
