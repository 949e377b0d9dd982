"""Task status (任务状态) from progress reports, target statuses and the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .progress import ACCEPTABLE_STATUSES, DETERIORATING, LIMITED

DONE, ON_GOING, LAGGING, OVERDUE, NOT_STARTED = "已完成", "推进中", "滞后", "逾期", "未开始"
# what a responsible unit may report for a period (任务进展填报)
REPORTED = {"未开始": NOT_STARTED, "推进中": ON_GOING, "已完成": DONE, "滞后": LAGGING}


def task_status(
    deadline: str | None,
    reported: str | None,
    target_statuses: Sequence[str],
    today: date,
) -> tuple[str, str]:
    """(status, reason). A task is done only when reported done and none of its targets is short of
    its goal; past its deadline and not done it is overdue; a lagging report or a target that is
    deteriorating or progressing slowly makes it lag."""
    targets_ok = all(s in ACCEPTABLE_STATUSES for s in target_statuses)
    if reported == "已完成" and targets_ok:
        return DONE, "责任单位报告已完成" + ("，目标均已达成或进展顺利" if target_statuses else "")
    if deadline and date.fromisoformat(deadline) < today:
        return OVERDUE, f"已超过完成时限 {deadline}" + ("，责任单位报告已完成但目标未达成" if reported == "已完成" else "")
    behind = [s for s in target_statuses if s in (DETERIORATING, LIMITED)]
    if reported == "滞后" or behind:
        return LAGGING, "责任单位报告滞后" if reported == "滞后" else f"{len(behind)} 项目标{'、'.join(sorted(set(behind)))}"
    if reported in ("推进中", "已完成"):
        return ON_GOING, "责任单位报告推进中" if reported == "推进中" else "目标尚未全部达成"
    return NOT_STARTED, "尚未报告进展"
