"""督办清单: what lags, grouped by responsible unit and region, with the reason and the numbers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .progress import ACCELERATE, DETERIORATING, LIMITED, STATUSES, Progress
from .tasks import LAGGING, OVERDUE

HIGH, MEDIUM, LOW = "高", "中", "低"
_SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}
_TARGET_SEVERITY = {DETERIORATING: HIGH, LIMITED: MEDIUM, ACCELERATE: LOW}
_NO_UNIT = "（未明确责任单位）"


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
        out[a.units[0] if a.units else _NO_UNIT].append(a)
    return dict(out)


def group_by_region(alerts: Iterable[Alert]) -> dict[str, list[Alert]]:
    out: dict[str, list[Alert]] = defaultdict(list)
    for a in ordered(alerts):
        out[a.region].append(a)
    return dict(out)


@dataclass
class LaggingTargets:
    """Lagging targets of many org × indicator pairs as columns: a province with a target on every
    indicator of every hospital has hundreds of thousands, and a page or an export reads only some
    of them. `alert(k)` makes the Alert of row k; `by_unit()` groups the rows as `group_by_unit` does."""

    subjects: list[str]  # what each indicator column is about
    regions: list[str]  # org codes
    units: list[list[str]]  # responsible units of each org (lead first)
    org: np.ndarray  # per row: index into regions
    subject: np.ndarray  # per row: index into subjects
    status: np.ndarray  # per row: index into STATUSES
    goal: np.ndarray
    baseline: np.ndarray  # per row: value at `periods[0]`
    latest: np.ndarray  # per row: value at `periods[1]`
    ratio: np.ndarray
    periods: tuple[str, str]

    @classmethod
    def from_arrays(cls, subjects: list[str], regions: list[str], units: list[list[str]], status: np.ndarray,
                    goal: np.ndarray, baseline: np.ndarray, latest: np.ndarray, ratio: np.ndarray,
                    periods: tuple[str, str]) -> LaggingTargets:
        """From [org, indicator] arrays as `assess_arrays` returns them; rows in the list's order
        (severity, then region)."""
        rank = np.full(len(STATUSES), 9, dtype=np.int8)
        for s, sev in _TARGET_SEVERITY.items():
            rank[STATUSES.index(s)] = _SEVERITY_ORDER[sev]
        severity = rank[status]
        org, subject = np.nonzero(severity < 9)
        region_rank = np.argsort(np.argsort(np.array(regions, dtype=object), kind="stable"), kind="stable")
        order = np.lexsort((region_rank[org], severity[org, subject]))
        org, subject = org[order], subject[order]
        return cls(subjects, regions, units, org, subject, status[org, subject], goal[org, subject],
                   baseline[org, subject], latest[org, subject], ratio[org, subject], periods)

    def __len__(self) -> int:
        return len(self.org)

    def alert(self, k: int) -> Alert:
        o, j = int(self.org[k]), int(self.subject[k])
        progress = Progress(STATUSES[self.status[k]], "", float(self.goal[k]), (self.periods[0], float(self.baseline[k])),
                            (self.periods[1], float(self.latest[k])), ratio=float(self.ratio[k]))
        return target_alert(self.subjects[j], self.regions[o], self.units[o], progress)

    def by_unit(self) -> dict[str, np.ndarray]:
        """Row numbers per lead unit, each in the list's order."""
        lead = np.array([u[0] if u else _NO_UNIT for u in self.units], dtype=object)
        names, unit_of_row = np.unique(lead[self.org], return_inverse=True)
        order = np.argsort(unit_of_row, kind="stable")
        starts = np.searchsorted(unit_of_row[order], np.arange(len(names)))
        return {str(name): rows for name, rows in zip(names, np.split(order, starts[1:]), strict=True)}
