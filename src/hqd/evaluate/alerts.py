"""督办清单: what lags, grouped by responsible unit and region, with the reason and the numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .progress import ACCELERATE, DETERIORATING, LIMITED, Progress
from .tasks import LAGGING, OVERDUE

HIGH, MEDIUM, LOW = "高", "中", "低"
_SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}
_TARGET_SEVERITY = {DETERIORATING: HIGH, LIMITED: MEDIUM, ACCELERATE: LOW}


@dataclass
class Alert:
    kind: str  # 目标滞后 任务逾期 任务滞后 未报送 迟报 数据异常
    severity: str
    units: list[str]  # responsible units (牵头 first)
    region: str  # the org the alert is about
    subject: str
    reason: str
    numbers: dict = field(default_factory=dict)


def target_alert(subject: str, region: str, units: list[str], progress: Progress) -> Alert | None:
    severity = _TARGET_SEVERITY.get(progress.status)
    if severity is None:
        return None
    numbers = {
        "基线": progress.baseline, "最新": progress.latest, "目标": progress.goal,
        "当前应达": progress.expected_now, "到期预计": progress.projected, "进度比": progress.ratio,
    }
    return Alert("目标滞后", severity, units, region, subject, f"{progress.status}：{progress.reason}",
                 {k: v for k, v in numbers.items() if v is not None})


def task_alert(subject: str, region: str, units: list[str], status: str, reason: str, deadline: str | None) -> Alert | None:
    if status == OVERDUE:
        return Alert("任务逾期", HIGH, units, region, subject, reason, {"完成时限": deadline})
    if status == LAGGING:
        return Alert("任务滞后", MEDIUM, units, region, subject, reason, {"完成时限": deadline})
    return None


def submission_alert(org: str, dataset: str, period: str, due: str, submitted_on: str | None,
                     unit: str | None = None) -> Alert | None:
    """Missing or late submissions (漏报/迟报) of a data set for a period."""
    if submitted_on is None:
        return Alert("未报送", HIGH, [unit] if unit else [], org, f"{dataset} {period}",
                     f"截至报送期限 {due} 尚未报送", {"报送期限": due})
    if submitted_on > due:
        return Alert("迟报", MEDIUM, [unit] if unit else [], org, f"{dataset} {period}",
                     f"{submitted_on} 报送，晚于期限 {due}", {"报送期限": due, "报送日期": submitted_on})
    return None


def outlier_alert(org: str, element: str, period: str, value: float, median: float, robust_z: float,
                  unit: str | None = None, threshold: float = 3.5) -> Alert | None:
    """A value far from the org's own history (robust z from median and MAD)."""
    if abs(robust_z) < threshold:
        return None
    severity = MEDIUM if abs(robust_z) >= 2 * threshold else LOW
    return Alert("数据异常", severity, [unit] if unit else [], org, f"{element} {period}",
                 f"数值 {value:g} 偏离本机构历史中位数 {median:g}（稳健Z值 {robust_z:.1f}）",
                 {"数值": value, "历史中位数": median, "稳健Z值": round(robust_z, 2)})


def ordered(alerts: Iterable[Alert | None]) -> list[Alert]:
    return sorted((a for a in alerts if a is not None), key=lambda a: (_SEVERITY_ORDER[a.severity], a.kind, a.region))


def group_by_unit(alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    """督办清单 per responsible unit: an alert appears under its lead unit (the first listed)."""
    out: dict[str, list[Alert]] = defaultdict(list)
    for a in ordered(alerts):
        out[a.units[0] if a.units else "（未明确责任单位）"].append(a)
    return dict(out)


def group_by_region(alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    out: dict[str, list[Alert]] = defaultdict(list)
    for a in ordered(alerts):
        out[a.region].append(a)
    return dict(out)
