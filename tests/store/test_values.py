"""Data values: optimistic versioning with two real connections, locks, audit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from hqd.collect.submissions import approve, reopen, submit
from hqd.store.errors import ConflictError, LockedError
from hqd.store.models import AuditLog
from hqd.store.values import get_value, set_value
from hqd_testdb import setup_world


def test_second_writer_is_told_of_the_conflict(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s:
        set_value(s, "H001", "CYRS", "2025Q2", 100, actor="录入员")
    # Two real connections read the same version.
    a, b = store.sessions(), store.sessions()
    try:
        va = get_value(a, "H001", "CYRS", "2025Q2")
        vb = get_value(b, "H001", "CYRS", "2025Q2")
        assert va.version == vb.version == 1
        a.rollback()  # end the read transactions (SQLite allows one writer at a time)
        b.rollback()
        set_value(a, "H001", "CYRS", "2025Q2", 110, actor="甲", expected_version=va.version)
        a.commit()
        with pytest.raises(ConflictError, match="已被他人修改为 110（版本 2）"):
            set_value(b, "H001", "CYRS", "2025Q2", 120, actor="乙", expected_version=vb.version)
        b.rollback()
    finally:
        a.close()
        b.close()
    with store.session() as s:
        v = get_value(s, "H001", "CYRS", "2025Q2")
        assert (v.value, v.version, v.updated_by) == (110, 2, "甲")
        trail = [(x.actor, x.old_value, x.new_value) for x in s.scalars(
            select(AuditLog).where(AuditLog.key == "H001|CYRS|2025Q2").order_by(AuditLog.id))]
        assert trail == [("录入员", None, "100"), ("甲", "100", "110")]


def test_concurrent_update_blocks_then_conflicts_on_postgresql(store, tmp_path):
    """Writer B's UPDATE waits for A's open transaction, then matches no row: a conflict, not a lost update."""
    if store.dialect != "postgresql":
        pytest.skip("row-level locking while both transactions are open is a PostgreSQL test")
    setup_world(store, tmp_path)
    with store.session() as s:
        set_value(s, "H001", "CYRS", "2025Q2", 100, actor="t")
    a, b = store.sessions(), store.sessions()
    result: dict[str, object] = {}
    try:
        set_value(a, "H001", "CYRS", "2025Q2", 110, actor="甲", expected_version=1)  # A holds the row lock

        def writer_b() -> None:
            try:
                set_value(b, "H001", "CYRS", "2025Q2", 120, actor="乙", expected_version=1)
                b.commit()
                result["b"] = "written"
            except ConflictError as exc:
                b.rollback()
                result["b"] = exc

        t = threading.Thread(target=writer_b)
        t.start()
        t.join(1.0)
        assert t.is_alive(), "B should wait for A's row lock"
        a.commit()
        t.join(10)
        assert isinstance(result["b"], ConflictError)
    finally:
        a.close()
        b.close()
    with store.session() as s:
        assert get_value(s, "H001", "CYRS", "2025Q2").value == 110


def test_approval_locks_and_reopen_unlocks(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s:
        for code, v in {"CYRS": 10, "CYSSRS": 2}.items():
            set_value(s, "H001", code, "2025Q2", v, actor="t")
        submit(s, "GZL", "H001", "2025Q2", actor="医院")
    with store.session() as s, pytest.raises(LockedError, match="已上报，数据已锁定"):
        set_value(s, "H001", "CYRS", "2025Q2", 11, actor="t")
    with store.session() as s:
        approve(s, "GZL", "H001", "2025Q2", actor="卫健委")
    with store.session() as s, pytest.raises(LockedError, match="已审核通过"):
        set_value(s, "H001", "CYRS", "2025Q2", 11, actor="t")
    with store.session() as s:
        reopen(s, "GZL", "H001", "2025Q2", reason="出院人数口径更正", actor="卫健委")
        set_value(s, "H001", "CYRS", "2025Q2", 11, actor="医院")
    with store.session() as s:
        a = s.scalar(select(AuditLog).where(AuditLog.action == "reopen"))
        assert (a.actor, a.key, a.detail) == ("卫健委", "GZL|H001|2025Q2", "出院人数口径更正")
        assert get_value(s, "H001", "CYRS", "2025Q2").version == 2


def test_file_import_racing_a_form_is_a_conflict_not_a_lost_write(store, tmp_path):
    """A form inserts a value while an import of the same key is under way: the import stops and
    reports the conflict; the form's value stays."""
    if store.dialect != "postgresql":
        pytest.skip("two open write transactions at once need PostgreSQL (SQLite has one writer)")
    from hqd.collect.importer import import_file
    from hqd_testdb import write_values_csv

    setup_world(store, tmp_path)
    # The period exists already (another org reported), so the only contended row is the value itself.
    assert import_file(store, write_values_csv(tmp_path / "h2.csv", [("H002", "CYRS", "2025Q2", 5)], "GZL"),
                       actor="t").written
    form = store.sessions()
    report: dict[str, object] = {}
    try:
        set_value(form, "H001", "CYRS", "2025Q2", 777, actor="表单")  # not committed yet
        path = write_values_csv(tmp_path / "v.csv", [("H001", "CYRS", "2025Q2", 100), ("H001", "CYSSRS", "2025Q2", 1)],
                                "GZL")
        t = threading.Thread(target=lambda: report.setdefault("r", import_file(store, path, actor="文件")))
        t.start()
        t.join(1.5)
        assert t.is_alive(), "the import should wait on the form's uncommitted row"
        form.commit()
        t.join(20)
    finally:
        form.close()
    r = report["r"]
    assert not r.written and "同时录入了相同的数据" in r.errors[0]
    with store.session() as s:
        assert get_value(s, "H001", "CYRS", "2025Q2").value == 777
        assert get_value(s, "H001", "CYSSRS", "2025Q2") is None  # nothing of the import was kept
