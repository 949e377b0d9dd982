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
    assert current_revision(store.engine) == head_revision() == "0004"
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


def test_upgrade_gives_stored_plans_the_region_their_issuer_names(db_url):
    """0004 adds plan.org_id: plans stored before it belong to the deepest region their issuer (else title)
    names, or to the root org (province-wide)."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from hqd.store.db import upgrade

    engine = make_engine(db_url)
    upgrade(engine, "0002")
    orgs = [(1, "ZJ", "浙江省", None, 1, "/ZJ/"), (2, "NB", "宁波市", 1, 2, "/ZJ/NB/"),
            (3, "NBFH", "奉化区", 2, 3, "/ZJ/NB/NBFH/"), (4, "NBFH01", "奉化区人民医院", 3, 4, "/ZJ/NB/NBFH/NBFH01/")]
    plans = [(1, "宁波市奉化区人民政府办公室", "奉化区实施方案"), (2, None, "宁波市行动计划"),
             (3, "某省卫生健康委", "某省方案"), (4, "奉化区人民医院", "医院方案")]
    now = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        for oid, code, name, parent, level, path in orgs:
            conn.execute(text("INSERT INTO org (id, code, name, parent_id, level, path, closed) "
                              "VALUES (:i, :c, :n, :p, :l, :path, false)"),
                         {"i": oid, "c": code, "n": name, "p": parent, "l": level, "path": path})
        for pid, issuer, title in plans:
            conn.execute(text("INSERT INTO plan (id, content_hash, issuer, title, imported_at, updated_at) "
                              "VALUES (:i, :h, :issuer, :t, :now, :now)"),
                         {"i": pid, "h": f"hash{pid}", "issuer": issuer, "t": title, "now": now})
    upgrade(engine)
    with engine.connect() as conn:
        owners = dict(conn.execute(text("SELECT p.id, o.code FROM plan p JOIN org o ON o.id = p.org_id")).all())
    # hospitals own no plans: a hospital that names its district gives the district
    assert owners == {1: "NBFH", 2: "NB", 3: "ZJ", 4: "NBFH"}
    engine.dispose()
