"""Submission workflow, completeness and timeliness per level, task progress."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hqd.collect.importer import import_file
from hqd.collect.progress import report_progress
from hqd.collect.submissions import approve, completeness, reopen, return_, submit
from hqd.store.errors import StoreError
from hqd.store.ledger import import_ledger
from hqd.store.models import AuditLog, Submission, Task, TaskProgress
from hqd_testdb import good_values, setup_world, write_values_csv


def load(store, tmp_path, orgs=range(1, 9), period="2025Q2"):
    rows = [(f"H{i:03d}", c, period, v) for i in orgs for c, v in good_values(i).items()]
    r = import_file(store, write_values_csv(tmp_path / f"{period}.csv", rows, "GZL"), actor="t")
    assert r.written, r.errors


def test_workflow_and_audit(store, tmp_path):
    setup_world(store, tmp_path)
    load(store, tmp_path)
    with store.session() as s:
        with pytest.raises(StoreError, match="只有已上报的填报才能审核通过"):
            approve(s, "GZL", "H001", "2025Q2", actor="委")
    with store.session() as s:
        assert submit(s, "GZL", "H001", "2025Q2", actor="院").status == "submitted"
    # A submitted form cannot be re-imported until it is returned.
    r = import_file(store, write_values_csv(tmp_path / "x.csv", [("H001", "CYRS", "2025Q2", 5000)], "GZL"),
                    actor="院")
    assert not r.written and "已上报，数据已锁定" in r.errors[0]
    with store.session() as s:
        with pytest.raises(StoreError, match="退回必须填写原因"):
            return_(s, "GZL", "H001", "2025Q2", reason=" ", actor="委")
    with store.session() as s:
        sub = return_(s, "GZL", "H001", "2025Q2", reason="手术人数与病案首页不符", actor="委")
        assert (sub.status, sub.returned_reason) == ("returned", "手术人数与病案首页不符")
    assert import_file(store, write_values_csv(tmp_path / "y.csv", [("H001", "CYRS", "2025Q2", 5000)], "GZL"),
                       actor="院").written
    with store.session() as s:
        submit(s, "GZL", "H001", "2025Q2", actor="院")
        approve(s, "GZL", "H001", "2025Q2", actor="委")
        with pytest.raises(StoreError, match="必须填写原因"):
            reopen(s, "GZL", "H001", "2025Q2", reason="", actor="委")
    with store.session() as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "submission").order_by(AuditLog.id)).all()
        assert actions == ["submit", "return", "submit", "approve"]


def test_submit_refused_when_rules_fail_or_empty(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s, pytest.raises(StoreError, match="尚未填报任何数据"):
        submit(s, "GZL", "H002", "2025Q2", actor="院")
    # Stored values that break R1 (entered before the rule existed) block submission.
    from hqd.collect.datasets import define_data_set
    from hqd_testdb import DATASET

    with store.session() as s:
        define_data_set(s, {**DATASET, "rules": []}, actor="t")
    bad = [("H002", "CYRS", "2025Q2", 10), ("H002", "CYSSRS", "2025Q2", 20)]
    assert import_file(store, write_values_csv(tmp_path / "b.csv", bad, "GZL"), actor="t").written
    with store.session() as s:
        define_data_set(s, DATASET, actor="t")
    with store.session() as s, pytest.raises(StoreError) as exc:
        submit(s, "GZL", "H002", "2025Q2", actor="院")
    assert "未通过校验" in exc.value.problems[0] and "R1" in exc.value.problems[1]


def test_completeness_and_timeliness_per_level(store, tmp_path):
    setup_world(store, tmp_path)
    load(store, tmp_path, orgs=range(1, 6))
    beijing = ZoneInfo("Asia/Shanghai")
    with store.session() as s:
        submit(s, "GZL", "H001", "2025Q2", actor="院", now=datetime(2025, 7, 5, tzinfo=UTC))  # on time (≤ 7/10)
        # 7月10日 23:30 in Beijing is still on time, though it is 15:30 UTC …
        submit(s, "GZL", "H002", "2025Q2", actor="院", now=datetime(2025, 7, 10, 23, 30, tzinfo=beijing))
        # … and 7月11日 07:00 in Beijing is late, though it is still 7月10日 in UTC.
        submit(s, "GZL", "H003", "2025Q2", actor="院", now=datetime(2025, 7, 11, 7, tzinfo=beijing))
        approve(s, "GZL", "H001", "2025Q2", actor="委")
        # H004 and H005 entered data but did not submit: not complete.
    with store.session() as s:
        [level4, total] = completeness(s, "GZL", "2025Q2")
    assert (level4.level, level4.expected, level4.submitted, level4.on_time, level4.approved) == (4, 8, 3, 2, 1)
    assert level4.rate == pytest.approx(3 / 8) and level4.timely_rate == pytest.approx(2 / 8)
    assert total.level is None and total.expected == 8
    with store.session() as s:
        drafts = s.scalars(select(Submission.status).where(Submission.status == "draft")).all()
        assert len(drafts) == 2  # H004, H005: data entered, not submitted
        with pytest.raises(StoreError, match="按季度填报"):
            completeness(s, "GZL", "2025")


def test_task_progress(store, tmp_path):
    ledger = {"file": "p.txt", "title": "某市方案", "issuer": "某市卫生健康委", "doc_number": "某卫发〔2023〕1号",
              "tasks": [{"path": ["三", "(二)"], "title": "推进医共体", "lead_units": ["市卫生健康委"],
                         "support_units": ["市医保局"], "targets": []}]}
    with store.session() as s:
        import_ledger(s, ledger, content_hash="h1", actor="t")
        row = report_progress(s, plan="某卫发[2023]1号", task_path="三/(二)", period="2025Q2", unit="市卫健委",
                              status="进行中", narrative="完成 3 家医共体牵头医院遴选", actor="市卫健委 王五")
        assert row.version == 1
        report_progress(s, plan="某卫发〔2023〕1号", task_path="三.(二)", period="2025Q2", unit="市卫健委",
                        status="已完成", narrative="全部完成", actor="市卫健委 王五")
        report_progress(s, plan="某卫发〔2023〕1号", task_path="三/(二)", period="2025Q2", unit="市医保局",
                        status="滞后", narrative="支付方式改革待省里批复", actor="医保局")
        with pytest.raises(StoreError, match="不是该任务的责任单位"):
            report_progress(s, plan="某卫发〔2023〕1号", task_path="三/(二)", period="2025Q2", unit="市财政局",
                            status="进行中", narrative="", actor="x")
        with pytest.raises(StoreError, match="进展状态“完成了”无效"):
            report_progress(s, plan="某卫发〔2023〕1号", task_path="三/(二)", period="2025Q2", unit="市卫健委",
                            status="完成了", narrative="", actor="x")
    with store.session() as s:
        rows = s.scalars(select(TaskProgress).order_by(TaskProgress.id)).all()
        assert [(r.status, r.version) for r in rows] == [("已完成", 2), ("滞后", 1)]
        assert s.scalar(select(Task.status)) == "已完成"  # the lead unit's report sets the task status
        old = s.scalar(select(AuditLog.old_value).where(AuditLog.entity == "task_progress", AuditLog.action == "update"))
        assert old == "进行中：完成 3 家医共体牵头医院遴选"


def test_two_reviewers_at_once(store, tmp_path):
    """Reviewer B opened the submitted form before A approved it; B's return is a conflict, not an overwrite."""
    from hqd.store.errors import ConflictError

    setup_world(store, tmp_path)
    load(store, tmp_path, orgs=[1])
    with store.session() as s:
        submit(s, "GZL", "H001", "2025Q2", actor="院")
    a, b = store.sessions(), store.sessions()
    try:
        on_screen = b.scalar(select(Submission))  # B's screen, held while A approves
        assert on_screen.status == "submitted"
        approve(a, "GZL", "H001", "2025Q2", actor="甲")
        a.commit()
        with pytest.raises(ConflictError, match="刚被他人处理"):
            return_(b, "GZL", "H001", "2025Q2", reason="乙的退回", actor="乙")
        b.rollback()
    finally:
        a.close()
        b.close()
    with store.session() as s:
        assert s.scalar(select(Submission)).status == "approved"
