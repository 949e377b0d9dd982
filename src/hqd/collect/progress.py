"""Task progress (工作进展): a responsible unit reports a status and a narrative per task and period."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hqd.store.errors import StoreError
from hqd.store.ledger import find_unit, norm_doc_number
from hqd.store.models import Plan, Task, TaskProgress, TaskUnit
from hqd.store.values import audit, get_or_create_period

STATUSES = ("未启动", "进行中", "已完成", "滞后")


def find_task(session: Session, plan: str, path: str) -> Task:
    """A task by its plan (文号, or the plan id) and outline path (二/(一)/3; 二.(一).3 also accepted)."""
    p = session.scalar(select(Plan).where(Plan.doc_number == norm_doc_number(plan)))
    if p is None and plan.isdigit():
        p = session.get(Plan, int(plan))
    if p is None:
        raise StoreError(f"未找到文号为“{plan}”的政策文件，请先用 hqd ledger import 导入")
    norm = path.strip().replace(".", "/").replace("（", "(").replace("）", ")")
    task = session.scalar(select(Task).where(Task.plan_id == p.id, Task.path == norm))
    if task is None:
        raise StoreError(f"文件“{plan}”中没有路径为“{path}”的任务")
    return task


def report_progress(
    session: Session, *, plan: str, task_path: str, period: str, unit: str, status: str, narrative: str,
    actor: str,
) -> TaskProgress:
    if status not in STATUSES:
        raise StoreError(f"进展状态“{status}”无效，应为 {'、'.join(STATUSES)} 之一")
    task = find_task(session, plan, task_path)
    u = find_unit(session, unit)
    roles = {tu.unit_id: tu.role for tu in session.scalars(select(TaskUnit).where(TaskUnit.task_id == task.id))}
    if u is None or u.id not in roles:
        names = "、".join(tu.unit.name for tu in task.units) or "无"
        raise StoreError(f"“{unit}”不是该任务的责任单位（牵头或配合单位：{names}）")
    p = get_or_create_period(session, period)
    row = session.scalar(select(TaskProgress).where(TaskProgress.task_id == task.id, TaskProgress.unit_id == u.id,
                                                    TaskProgress.period_id == p.id))
    key = f"{task.plan_id}|{task.path}|{u.name}|{p.code}"
    old = f"{row.status}：{row.narrative}" if row else None
    if row is None:
        row = TaskProgress(task_id=task.id, unit_id=u.id, period_id=p.id, status=status, narrative=narrative,
                           reported_by=actor, reported_at=datetime.now(UTC), version=1)
        session.add(row)
    else:
        row.status, row.narrative, row.reported_by = status, narrative, actor
        row.reported_at = datetime.now(UTC)
        row.version += 1
    if roles[u.id] == "lead":
        task.status = status
    audit(session, actor=actor, action="create" if old is None else "update", entity="task_progress", key=key,
          old=old, new=f"{status}：{narrative}", source="form")
    session.flush()
    return row
