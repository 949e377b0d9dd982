"""`hqd db backup` while users write: the backup is one snapshot, so it restores to a state the
store really had (every value's version matches its audit trail, across tables dumped apart)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from hqd.store.backup import backup, restore
from hqd.store.db import open_store
from hqd.store.models import AuditLog, DataValue
from hqd.store.values import set_value
from hqd_testdb import good_values, setup_world, write_values_csv

KEYS = [("H001", "MZSR"), ("H002", "MZSR"), ("H003", "ZYSR")]


def _consistent(store) -> list[str]:
    """Every written value's version equals the number of its audit rows (one per change)."""
    bad = []
    with store.session() as s:
        for org, el in KEYS:
            key = f"{org}|{el}|2025Q2"
            audits = s.scalar(select(func.count()).select_from(AuditLog).where(
                AuditLog.key == key, AuditLog.entity == "data_value"))
            version = _version(s, org, el)
            if version != audits:
                bad.append(f"{key}: version {version}, audit rows {audits}")
    return bad


def _version(s, org: str, el: str) -> int:
    from hqd.store.models import DataElement, Org, Period

    return s.scalar(select(DataValue.version).join(Org, Org.id == DataValue.org_id)
                    .join(DataElement, DataElement.id == DataValue.data_element_id)
                    .join(Period, Period.id == DataValue.period_id)
                    .where(Org.code == org, DataElement.code == el, Period.code == "2025Q2"))


def test_backup_taken_during_writes_restores_consistently(store, tmp_path):
    from hqd.collect.importer import import_file

    setup_world(store, tmp_path)
    rows = [(f"H{i:03d}", c, "2025Q2", v) for i in range(1, 4) for c, v in good_values(i).items()]
    assert import_file(store, write_values_csv(tmp_path / "v.csv", rows, "GZL"), actor="t").written
    assert _consistent(store) == []  # the invariant holds on the live store

    stop = threading.Event()
    writes = [0]

    def writer():
        i = 0
        while not stop.is_set():
            i += 1
            with store.session() as s:
                for org, el in KEYS:
                    set_value(s, org, el, "2025Q2", 1000 + i, actor="并发写入", source="api")
            writes[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        paths = []
        for n in range(3):
            paths.append(tmp_path / f"b{n}.jsonl")
            backup(store, paths[-1])
    finally:
        stop.set()
        thread.join(30)
    assert writes[0] > 0 and _consistent(store) == []
    for p in paths:
        target = open_store(f"sqlite:///{tmp_path / (p.stem + '.db')}")
        restore(target, p)
        assert _consistent(target) == [], p.name
        target.dispose()
