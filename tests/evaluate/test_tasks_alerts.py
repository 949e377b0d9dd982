"""Task status rules and the 督办清单."""

from __future__ import annotations

from datetime import date

from hqd.evaluate import ACHIEVED, DETERIORATING, LIMITED, ON_TRACK, assess
from hqd.evaluate.alerts import (
    group_by_region,
    group_by_unit,
    outlier_alert,
    submission_alert,
    target_alert,
    task_alert,
)
from hqd.evaluate.tasks import DONE, LAGGING, NOT_STARTED, ON_GOING, OVERDUE, task_status

TODAY = date(2025, 7, 10)


def test_task_status_rules():
    assert task_status("2025-12-31", "已完成", [ACHIEVED, ON_TRACK], TODAY)[0] == DONE
    assert task_status("2025-12-31", "已完成", [LIMITED], TODAY)[0] == LAGGING
    assert task_status("2025-06-30", "推进中", [], TODAY)[0] == OVERDUE
    assert task_status("2025-06-30", "已完成", [LIMITED], TODAY)[0] == OVERDUE
    assert task_status(None, "滞后", [], TODAY)[0] == LAGGING
    assert task_status(None, None, [DETERIORATING], TODAY)[0] == LAGGING
    assert task_status(None, "推进中", [ON_TRACK], TODAY)[0] == ON_GOING
    assert task_status(None, None, [], TODAY) == (NOT_STARTED, "尚未报告进展")


def test_alerts_carry_reasons_and_numbers_and_group_by_unit_and_region():
    lagging = assess(">=", 65, None, "%", "2025-12-31", [("2022Q4", 50), ("2024Q4", 48)])
    fine = assess(">=", 65, None, "%", "2025-12-31", [("2022Q4", 50), ("2024Q4", 60)])
    alerts = [
        target_alert("基层就诊率≥65%", "西湖区", ["区卫生健康局", "区医保局"], lagging),
        target_alert("县域就诊率≥90%", "淳安县", ["县卫生健康局"], fine),
        task_alert("推进医共体建设", "淳安县", ["县卫生健康局"], *task_status("2025-06-30", "推进中", [], TODAY),
                   "2025-06-30"),
        submission_alert("淳安县第一人民医院", "季度监测", "2025Q2", "2025-07-10", None, "县卫生健康局"),
        submission_alert("西湖区人民医院", "季度监测", "2025Q2", "2025-07-10", "2025-07-15", "区卫生健康局"),
        submission_alert("西湖区中医院", "季度监测", "2025Q2", "2025-07-10", "2025-07-08", "区卫生健康局"),
        outlier_alert("西湖区人民医院", "出院人数", "2025Q2", 9000, 3000, 8.2, "区卫生健康局"),
    ]
    kept = [a for a in alerts if a]
    assert len(kept) == 5  # an on-track target and an on-time submission raise nothing
    assert kept[0].numbers["最新"] == ("2024Q4", 48.0) and "倒退" in kept[0].reason
    by_unit = group_by_unit(kept)
    assert [a.kind for a in by_unit["县卫生健康局"]] == ["任务逾期", "未报送"]
    assert [a.kind for a in by_unit["区卫生健康局"]] == ["目标滞后", "数据异常", "迟报"]
    assert set(group_by_region(kept)) == {"西湖区", "淳安县", "淳安县第一人民医院", "西湖区人民医院"}
