"""Real databases for store and collect tests: a SQLite file, and a PostgreSQL database created
with a unique name and dropped afterwards (skipped, with the reason, only if no server answers)."""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

import pytest

from hqd.store.db import Store, open_store

PG_ADMIN = os.environ.get("HQD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)


def pg_available() -> str | None:
    """None if the server answers, else the reason."""
    try:
        with _pg_admin():
            return None
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL 不可用（{PG_ADMIN}）：{type(exc).__name__}: {exc}"


def create_pg_database() -> tuple[str, str]:
    name = f"hqd_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return name, f"{base}/{name}"


def drop_pg_database(name: str) -> None:
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hqd.db'}"
        return
    reason = pg_available()
    if reason:
        pytest.skip(reason)
    name, url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(name)


@pytest.fixture
def store(db_url) -> Store:
    s = open_store(db_url)
    yield s
    s.dispose()


ELEMENTS = [
    {"code": "CYRS", "name": "出院人数", "unit": "人次", "aggregation": "sum"},
    {"code": "CYSSRS", "name": "出院患者手术人数", "unit": "人次", "aggregation": "sum"},
    {"code": "MZSR", "name": "门诊收入", "unit": "万元", "aggregation": "sum"},
    {"code": "ZYSR", "name": "住院收入", "unit": "万元", "aggregation": "sum"},
    {"code": "YLSR", "name": "医疗收入", "unit": "万元", "aggregation": "sum"},
]

DATASET = {
    "code": "GZL",
    "name": "公立医院高质量发展季度监测",
    "period_type": "quarter",
    "timely_days": 10,
    "elements": [e["code"] for e in ELEMENTS],
    "orgs": {"levels": [4]},
    "rules": [
        {"code": "R1", "name": "出院患者手术人数不超过出院人数", "left": "CYSSRS", "operator": "<=", "right": "CYRS",
         "severity": "error"},
        {"code": "R2", "name": "医疗收入等于门诊收入与住院收入之和", "left": "YLSR", "operator": "=",
         "right": "MZSR + ZYSR", "severity": "error"},
        {"code": "R3", "name": "次均住院收入不超过5万元", "left": "ZYSR / CYRS", "operator": "<=", "right": "5",
         "severity": "warning"},
    ],
}


def write_orgs_csv(path: Path, hospitals: int = 8) -> Path:
    rows = [
        ["机构代码", "机构名称", "上级机构代码", "层级", "机构类型", "等级", "分组"],
        ["ZJ", "浙江省", "", "1", "", "", ""],
        ["HZ", "杭州市", "ZJ", "2", "", "", ""],
        ["XH", "西湖区", "HZ", "3", "", "", ""],
        ["BJ", "滨江区", "HZ", "3", "", "", ""],
    ]
    for i in range(1, hospitals + 1):
        parent = "XH" if i % 2 else "BJ"
        rows.append([f"H{i:03d}", f"第{i}人民医院", parent, "4", "综合", "三级" if i <= 4 else "二级",
                     "西湖医共体" if parent == "XH" else "滨江城市医疗集团"])
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def setup_world(store: Store, tmp_path: Path, hospitals: int = 8) -> None:
    """Orgs (省/市/区县/8 hospitals), five data elements and the GZL data set with three rules."""
    from hqd.collect.datasets import define_data_set
    from hqd.collect.orgs import import_orgs
    from hqd.store.elements import upsert_data_elements

    with store.session() as s:
        import_orgs(s, write_orgs_csv(tmp_path / "orgs.csv", hospitals), actor="tester")
        upsert_data_elements(s, ELEMENTS)
        define_data_set(s, DATASET, actor="tester")


def good_values(i: int = 1) -> dict[str, float]:
    """A consistent set of values for hospital i: R1 and R2 hold."""
    return {"CYRS": 1000 + 10 * i, "CYSSRS": 300 + i, "MZSR": 800.5 + i, "ZYSR": 1200 + i, "YLSR": 2000.5 + 2 * i}


def write_values_csv(path: Path, rows: list[tuple[str, str, str, object]], dataset: str | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["机构代码", "数据项代码", "期间", "数值"] + (["数据集"] if dataset else []))
        for r in rows:
            w.writerow(list(r) + ([dataset] if dataset else []))
    return path
