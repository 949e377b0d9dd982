"""One Alembic history builds the models' schema on both databases; settings pick the database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from hqd.config import load_settings
from hqd.store.db import current_revision, head_revision, make_engine, open_store
from hqd.store.models import Base


def test_migration_matches_models(db_url):
    store = open_store(db_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    assert current_revision(store.engine) == head_revision() == "0003"
    names = set(inspect(store.engine).get_table_names())
    assert {"plan", "task", "unit", "unit_alias", "target", "target_org", "org", "org_group", "data_element",
            "data_set", "period", "data_value", "submission", "task_progress", "validation_rule",
            "audit_log"} <= names
    open_store(db_url).dispose()  # upgrading twice is a no-op
    store.dispose()


def test_default_is_a_sqlite_file_under_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("HQD_DATABASE_URL", raising=False)
    monkeypatch.setenv("HQD_DATA_DIR", str(tmp_path / "data"))
    assert load_settings().store_url() == f"sqlite:///{tmp_path / 'data' / 'hqd.db'}"
    store = open_store()
    assert store.dialect == "sqlite" and (tmp_path / "data" / "hqd.db").exists()
    monkeypatch.setenv("HQD_DATABASE_URL", "postgresql://u@h:1/db")
    assert make_engine().url.drivername == "postgresql+psycopg"
