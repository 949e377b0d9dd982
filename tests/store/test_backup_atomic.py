"""Backups restore across database kinds; a failed import leaves the store exactly as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hqd.collect import importer
from hqd.collect.importer import import_file
from hqd.collect.submissions import submit
from hqd.store.backup import backup, restore
from hqd.store.db import open_store
from hqd.store.errors import StoreError
from hqd.store.ledger import import_ledger, load_plan_file
from hqd.store.models import DataElement, DataValue, Org, Period
from hqd_testdb import (
    create_pg_database,
    drop_pg_database,
    good_values,
    pg_available,
    setup_world,
    write_values_csv,
)

PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"


def fill_store(store, tmp_path) -> None:
    setup_world(store, tmp_path)
    rows = [(f"H{i:03d}", c, p, v + (q * 0.25)) for q, p in enumerate(["2025Q1", "2025Q2"])
            for i in range(1, 9) for c, v in good_values(i).items()]
    # Keep R2 exact: YLSR = MZSR + ZYSR after the +0.25 shift.
    rows = [(o, c, p, v + (0.25 if c == "YLSR" and p == "2025Q2" else 0)) for o, c, p, v in rows]
    r = import_file(store, write_values_csv(tmp_path / "v.csv", rows, "GZL"), actor="t")
    assert r.written, r.errors
    with store.session() as s:
        submit(s, "GZL", "H001", "2025Q1", actor="医院")
        ledger, digest = load_plan_file(PLANS / "000_e5f6dd014c1e0675.txt")
        import_ledger(s, ledger, content_hash=digest, actor="t")


def snapshot(store) -> list[str]:
    """Every row of every table, as written by backup (minus the header with its timestamp)."""
    path = Path(store.engine.url.database or "x").with_suffix(".snap") if store.dialect == "sqlite" else None
    path = path or Path(f"/tmp/{store.engine.url.database}.snap")
    backup(store, path)
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    path.unlink()
    return lines


def values(store) -> list[tuple]:
    with store.session() as s:
        return sorted(s.execute(
            select(Org.code, DataElement.code, Period.code, DataValue.value, DataValue.version, DataValue.updated_by)
            .join(Org, Org.id == DataValue.org_id).join(DataElement, DataElement.id == DataValue.data_element_id)
            .join(Period, Period.id == DataValue.period_id)).all())


def test_failed_import_leaves_store_exactly_as_before(store, tmp_path, monkeypatch):
    fill_store(store, tmp_path)
    before = snapshot(store)
    rows = [(f"H{i:03d}", "CYRS", "2025Q2", 5000 + i) for i in range(2, 9)]  # updates
    rows += [(f"H{i:03d}", c, "2025Q3", v) for i in range(1, 9) for c, v in good_values(i).items()]  # inserts

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")  # fails after values and audit rows were written

    monkeypatch.setattr(importer, "_ensure_submissions", boom)
    with pytest.raises(RuntimeError):
        import_file(store, write_values_csv(tmp_path / "late.csv", rows, "GZL"), actor="t")
    assert snapshot(store) == before
    # A database error half way (a value row the database refuses) is rolled back the same way.
    monkeypatch.undo()
    orig = importer.write_values

    def write_then_conflict(session, writes, **kw):
        orig(session, writes, **kw)
        raise StoreError("模拟：写入途中发生冲突")

    monkeypatch.setattr(importer, "write_values", write_then_conflict)
    r = import_file(store, write_values_csv(tmp_path / "late2.csv", rows, "GZL"), actor="t")
    assert not r.written and r.errors == ["模拟：写入途中发生冲突"]
    assert snapshot(store) == before


def _other_db(kind: str, tmp_path):
    if kind == "sqlite":
        return None, f"sqlite:///{tmp_path / 'restored.db'}"
    reason = pg_available()
    if reason:
        pytest.skip(reason)
    return create_pg_database()


def test_backup_restores_into_the_other_database(store, tmp_path):
    fill_store(store, tmp_path)
    path = tmp_path / "backup.jsonl.gz"
    counts = backup(store, path)
    assert counts["data_value"] == 80 and counts["task"] > 0
    target_kind = "postgresql" if store.dialect == "sqlite" else "sqlite"
    name, url = _other_db(target_kind, tmp_path)
    try:
        other = open_store(url)
        assert restore(other, path) == {k: v for k, v in counts.items() if v}
        assert values(other) == values(store)
        assert snapshot(other) == snapshot(store)
        # The restored store keeps working: new rows get fresh ids (sequences were reset).
        r = import_file(other, write_values_csv(tmp_path / "q3.csv", [("H002", "CYRS", "2025Q3", 7)], "GZL"),
                        actor="t")
        assert r.written, r.errors
        with pytest.raises(StoreError, match="目标数据库不是空的"):
            restore(other, path)
        other.dispose()
    finally:
        if name:
            drop_pg_database(name)


def test_truncated_or_foreign_backup_is_refused(store, tmp_path):
    fill_store(store, tmp_path)
    path = tmp_path / "b.jsonl"
    backup(store, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")
    empty = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError, match="不完整"):
        restore(empty, cut)
    assert values(empty) == []
    foreign = tmp_path / "f.jsonl"
    foreign.write_text(json.dumps({"hello": 1}) + "\n", encoding="utf-8")
    with pytest.raises(StoreError, match="不是 hqd 备份文件"):
        restore(empty, foreign)
