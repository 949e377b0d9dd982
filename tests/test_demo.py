"""The demo database: built through the real services, deterministic from its seed, with late and
missing reports and outliers to show; on SQLite here (PostgreSQL in tests/web via HQD_DATABASE_URL)."""

from __future__ import annotations

from sqlalchemy import func, select

from hqd.demo import build_demo
from hqd.store.db import open_store
from hqd.store.models import DataValue, Org, Plan, Submission, Target, TargetOrg, TaskProgress


def _build(tmp_path, name: str, seed: int = 7):
    store = open_store(f"sqlite:///{tmp_path / name}")
    result = build_demo(store, seed=seed)
    return store, result


def test_demo_has_the_plans_the_tree_and_quarters_of_data(tmp_path):
    store, result = _build(tmp_path, "a.db")
    assert result.plans == 5 and result.tasks > 100 and result.targets > 100
    with store.session() as s:
        names = set(s.scalars(select(Org.name)))
        assert {"浙江省", "杭州市", "宁波市", "奉化区", "西湖区"} <= names
        grades = set(s.scalars(select(Org.grade).where(Org.level == 4)))
        assert {"三级", "二级", "一级"} <= grades
        assert s.scalar(select(func.count()).select_from(Plan)) == 5
        assert s.scalar(select(func.count()).select_from(DataValue)) == result.values > 50_000
        periods = {p for (p,) in s.execute(select(func.distinct(DataValue.period_id)))}
        assert len(periods) == 14  # 2022Q1–2025Q2
        statuses = dict(s.execute(select(Submission.status, func.count()).group_by(Submission.status)).all())
        assert statuses["approved"] > statuses["submitted"] > statuses["draft"] > 0
        # the Hangzhou plan's targets apply to 杭州市
        hz = s.scalar(select(Org.id).where(Org.code == "HZ"))
        assert s.scalar(select(func.count()).select_from(TargetOrg).where(TargetOrg.org_id == hz)) > 0
        assert s.scalar(select(func.count()).select_from(Target).where(Target.catalog_code.is_not(None))) > 30
        assert s.scalar(select(func.count()).select_from(TaskProgress)) > 50
    assert len(result.outliers) == 6


def test_demo_is_deterministic_and_enlarges(tmp_path):
    a, ra = _build(tmp_path, "a.db")
    b, rb = _build(tmp_path, "b.db")
    with a.session() as s1, b.session() as s2:
        total = select(func.sum(DataValue.value))
        assert s1.scalar(total) == s2.scalar(total)
    assert ra.outliers == rb.outliers
    big = open_store(f"sqlite:///{tmp_path / 'big.db'}")
    rc = build_demo(big, seed=7, orgs=600)
    assert rc.orgs == 600


def test_demo_refuses_a_database_with_data(tmp_path):
    import pytest

    from hqd.store.errors import StoreError

    store, _ = _build(tmp_path, "a.db")
    with pytest.raises(StoreError, match="空数据库"):
        build_demo(store, seed=7)
