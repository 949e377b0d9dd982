"""Engines, sessions and migrations: SQLite by default, PostgreSQL when HQD_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hqd.config import load_settings

from .errors import StoreError


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "hqd.store:migrations")
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # WAL: readers (pages, evaluation) never block the writer (填报) nor the writer them
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


# As many connections as the web server's worker threads (anyio's default 40), so a burst of
# requests waits on the database, not on the pool.
_POOL = {"pool_size": 10, "max_overflow": 30}


def make_engine(url: str | None = None) -> Engine:
    url = url or load_settings().store_url()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"数据库地址“{url}”格式不正确（HQD_DATABASE_URL）") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **_POOL) if parsed.database not in (None, "", ":memory:") else create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, **_POOL)
    raise StoreError(f"不支持的数据库类型“{parsed.get_backend_name()}”：仅支持 SQLite 和 PostgreSQL")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (one Alembic history for both databases)."""
    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise StoreError(f"无法连接或升级数据库 {engine.url.render_as_string(hide_password=True)}：{exc.orig}") from exc


class Store:
    """An engine and its session factory."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back entirely if not."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def analyze(store: Store) -> None:
    """Refresh the query planner's statistics, after bulk loads. SQLite has none until asked: without
    them it picks the period index for one org's values of a period and scans a whole quarter."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled: milliseconds per index
        conn.exec_driver_sql("ANALYZE")


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open the store; with `migrate` (the default) bring the schema up to date first (zero set-up)."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                fresh = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None
            if fresh:
                analyze(Store(engine))
    else:
        try:
            rev = current_revision(engine)
        except OperationalError as exc:
            raise StoreError(f"无法连接数据库：{exc.orig}") from exc
        if rev != head_revision():
            raise StoreError("数据库结构不是最新版本，请先运行 hqd db upgrade")
    return Store(engine)
