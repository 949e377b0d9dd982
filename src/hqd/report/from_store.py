"""Reports from the store: the quarterly monitoring report of a region (or hospital), and the 台账
of a plan with each task's status and progress and each target's latest value filled in.

The evaluation inputs (target progress, task states, alerts) can be handed in, so the web app
passes its cached ones; the command computes them through hqd.monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hqd.store.db import Store
from hqd.store.errors import StoreError

from .data import get_org, plan_regions, quarters_up_to, series_of, submission_rows, subtree_codes
from .ledger_text import number
from .model import LaggingRow, QuarterlyReport, Series, TargetRow, TaskRow

KEY_SERIES = 4  # charts in the report
_ISSUER = {1: "卫生健康委员会", 2: "卫生健康委员会", 3: "卫生健康局"}


@dataclass
class Evaluation:
    """What a quarterly report reads from hqd.monitoring for one period."""

    progress: list  # TargetProgress on every applied org and its children
    tasks: list  # TaskState
    alerts: list  # Alert


def evaluation(store: Store, period: str, today: date) -> Evaluation:
    from hqd.monitoring import alerts, evaluate_targets, task_states

    progress = evaluate_targets(store, period, with_children=True)
    tasks = task_states(store, period, today, [r for r in progress if r.applied])
    return Evaluation(progress, tasks, alerts(store, period, today, progress=progress, tasks=tasks))


def _pv(pv) -> str:
    return f"{pv[1]:.4g}（{pv[0]}）" if pv else "—"


def _n(x) -> str:
    return "—" if x is None else f"{x:.4g}"


def quarterly_report(store: Store, period: str, org: str, today: date, ev: Evaluation | None = None) -> QuarterlyReport:
    with store.session() as s:
        o = get_org(s, org)
        if o is None:
            raise StoreError(f"机构代码“{org}”不存在")
        name, level = o.name, o.level
    ev = ev or evaluation(store, period, today)
    issuer = f"{name}{_ISSUER[level]}" if level in _ISSUER else name
    report = QuarterlyReport(region=name, period=period, issuer=issuer, date=today.isoformat())
    mine = [r for r in ev.progress if r.org == org]
    for r in mine:
        report.targets.append(TargetRow(r.indicator, r.target, r.deadline, _pv(r.baseline), _pv(r.latest),
                                        _n(r.expected_now), _n(r.projected), r.status, "、".join(r.lead_units)))
    periods = quarters_up_to(period, 14)
    charted: dict[str, object] = {}  # one target per indicator, the key ones first
    for r in sorted(mine, key=lambda r: (r.status == "无数据", r.status in ("已达成",))):
        if len(charted) < KEY_SERIES and r.catalog_code not in charted and r.latest is not None:
            charted[r.catalog_code] = r
    series = series_of(store, list(charted), org, periods)  # one read for every chart
    for code, r in charted.items():
        report.series.append(Series(f"{r.indicator}（目标{r.target}）", _unit(r.target), periods,
                                    [p.value for p in series[code]], _goal(r), required_path(r, periods)))
    inside = subtree_codes(store, org)
    names = org_names(store)
    for a in ev.alerts:
        if a.region in inside:
            report.lagging.append(LaggingRow("、".join(a.units) or "填报机构", names.get(a.region, a.region), a.kind,
                                             a.subject, a.reason))
    regions = plan_regions(store)
    plan_ids = _plan_titles(store, [pid for pid, code in regions.items() if code == org])
    for t in ev.tasks:
        if t.plan in plan_ids:
            report.tasks.append(TaskRow(t.path.replace("/", ""), t.title or "", "、".join(t.lead_units),
                                        t.deadline or "—", t.status, t.narrative or t.reason))
    report.submissions = submission_rows(store, period, org)
    return report


def org_names(store: Store) -> dict[str, str]:
    from sqlalchemy import select

    from hqd.store.models import Org

    with store.session() as s:
        return dict(s.execute(select(Org.code, Org.name)).all())


def _plan_titles(store: Store, ids: list[int]) -> set[str]:
    from sqlalchemy import select

    from hqd.store.models import Plan

    with store.session() as s:
        return {p.title or p.file for p in s.scalars(select(Plan).where(Plan.id.in_(ids)))}


def _unit(target: str) -> str:
    return "".join(ch for ch in target if not (ch.isdigit() or ch in "≥≤≈.—-:"))


def _goal(r) -> float | None:
    import re

    m = re.search(r"[\d.]+", r.target.split(":")[-1])
    return float(m.group()) if m else None


def required_path(r, periods: list[str]) -> list[tuple[str, float]]:
    """The straight path from the baseline to the target at its deadline, at each period shown."""
    from hqd.periods import Period, date_time

    goal = _goal(r)
    if not r.baseline or goal is None or not r.deadline:
        return []
    start_p, start_v = r.baseline
    t0, t1 = Period.parse(start_p).end_time, date_time(r.deadline)
    if t1 <= t0:
        return []
    out = []
    for per in periods:
        if per < start_p:
            continue
        t = Period.parse(per).end_time
        out.append((per, start_v + (goal - start_v) * min(1.0, (t - t0) / (t1 - t0))))
    return out


def write_quarterly(report: QuarterlyReport, path: Path, fmt: str) -> Path:
    from .quarterly import write_docx, write_pdf, write_xlsx

    writers = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
    return writers[fmt](report, path)


# ── 台账 with status and progress ─────────────────────────────────────────────────────────────


def find_plan(store: Store, ref: str):
    """A stored plan by 文号, id or file name."""
    from sqlalchemy import or_, select

    from hqd.store.ledger import norm_doc_number
    from hqd.store.models import Plan

    with store.session() as s:
        plan = s.scalar(select(Plan).where(or_(Plan.doc_number == norm_doc_number(ref), Plan.file == ref,
                                               Plan.file == Path(ref).name)))
        if plan is None and ref.isdigit():
            plan = s.get(Plan, int(ref))
        if plan is None:
            raise StoreError(f"未找到方案“{ref}”：请给出已导入方案的文号、编号或文件名（hqd ledger import 导入）")
        return plan.id, plan.title or plan.file, dict(plan.ledger or {})


def write_ledger_with_status(store: Store, ref: str, period: str, today: date, path: Path,
                             ev: Evaluation | None = None) -> Path:
    """The plan's 台账 workbook (as hqd ingest writes it) plus 任务状态/进展情况 and each target's
    latest value and progress on the org it applies to."""
    from openpyxl import load_workbook

    from .ledger_xlsx import write_ledger_xlsx

    plan_id, title, ledger = find_plan(store, ref)
    names = org_names(store)
    ev = ev or evaluation(store, period, today)
    states = {t.path: t for t in ev.tasks if t.plan == title}
    progress = {}
    for r in ev.progress:
        if r.plan == title and r.applied:
            progress.setdefault((r.task_path, r.indicator), r)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_ledger_xlsx(ledger, path)
    wb = load_workbook(path)
    tasks_sheet, targets_sheet = wb["任务台账"], wb["目标指标"]
    header_row = _header_row(tasks_sheet)
    col = tasks_sheet.max_column
    for k, head in enumerate(("任务状态", "状态说明", f"进展情况（{period}）"), 1):
        _copy_head(tasks_sheet, header_row, col, col + k, head)
    for i, task in enumerate(ledger.get("tasks") or []):
        key = "/".join(str(p) for p in task.get("path") or []) or f"#{i + 1}"
        st = states.get(key)
        row = header_row + 1 + i
        for k, value in enumerate((st.status if st else "—", st.reason if st else "", st.narrative if st else ""), 1):
            tasks_sheet.cell(row=row, column=col + k, value=value)
    header_row = _header_row(targets_sheet)
    col = targets_sheet.max_column
    for k, head in enumerate(("评价机构", "基线", "最新值", "当前应达", "进展"), 1):
        _copy_head(targets_sheet, header_row, col, col + k, head)
    row = header_row
    for task in ledger.get("tasks") or []:
        key = "/".join(str(p) for p in task.get("path") or [])
        for tg in task.get("targets") or []:
            row += 1
            r = progress.get((key, tg.get("indicator")))
            values = (names.get(r.org, r.org), _pv(r.baseline), _pv(r.latest), _n(r.expected_now), r.status) if r else \
                ("—", "—", "—", "—", "未关联指标" if not tg.get("catalog_code") else "无数据")
            for k, value in enumerate(values, 1):
                targets_sheet.cell(row=row, column=col + k, value=value)
    wb.save(path)
    return path


def _header_row(sheet) -> int:
    for row in range(1, 6):
        if sheet.cell(row=row, column=1).value == "序号":
            return row
    return 1


def _copy_head(sheet, row: int, like: int, col: int, text: str) -> None:
    from copy import copy

    src = sheet.cell(row=row, column=like)
    cell = sheet.cell(row=row, column=col, value=text)
    cell.font, cell.fill, cell.border, cell.alignment = copy(src.font), copy(src.fill), copy(src.border), copy(src.alignment)
    sheet.column_dimensions[cell.column_letter].width = 16


__all__ = ["Evaluation", "evaluation", "find_plan", "number", "quarterly_report", "required_path", "write_ledger_with_status",
           "write_quarterly"]
