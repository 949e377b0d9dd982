"""`hqd evaluate`: target progress from the store's data, as a table, JSON or xlsx."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hqd.periods import Period, PeriodError

_STYLE = {"已达成": "green", "进展顺利": "green", "需加快": "yellow", "进展缓慢": "dark_orange", "倒退": "red", "无数据": "grey50"}


def evaluate(
    period: Annotated[str, typer.Option("--period", "-p", help="评价期间，如 2025Q2")],
    org: Annotated[str | None, typer.Option("--org", help="只看某个机构或地区的代码")] = None,
    children: Annotated[bool, typer.Option("--children", help="同时评价下一级机构，看差距在哪里")] = False,
    output_format: Annotated[str, typer.Option("--format", "-f", help="输出格式：table、json 或 xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="xlsx 输出文件")] = None,
    tasks: Annotated[bool, typer.Option("--tasks", help="同时列出各项任务的状态（已完成、推进中、滞后、逾期、未开始）")] = False,
    today: Annotated[str | None, typer.Option("--today", help="判断逾期的日期，默认今天（YYYY-MM-DD）")] = None,
) -> None:
    """评价各项量化目标的进展：已达成、进展顺利、需加快、进展缓慢、倒退、无数据。"""
    from datetime import date

    from hqd.monitoring import evaluate_targets, task_states
    from hqd.report.tables import write_tables_xlsx
    from hqd.store.db import open_store
    from hqd.store.errors import StoreError

    try:
        Period.parse(period)
        day = date.fromisoformat(today) if today else date.today()
    except (PeriodError, ValueError) as error:
        _stop(f"错误：{error}")
    if output_format not in ("table", "json", "xlsx"):
        _stop(f"错误：不支持的输出格式“{output_format}”，可选 table、json、xlsx")
    if output_format == "xlsx" and out is None:
        _stop("错误：xlsx 格式需要用 --out 指定输出文件")
    try:
        store = open_store()
        rows = evaluate_targets(store, period, org=org, with_children=children)
        states = task_states(store, period, day) if tasks else []
    except StoreError as error:
        _stop(f"错误：{error}")
    if output_format == "json":
        payload = [asdict(r) for r in rows]
        if tasks:
            payload = {"targets": payload, "tasks": [asdict(t) for t in states]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    task_header = ["方案", "任务", "名称", "牵头单位", "完成时限", "状态", "说明", "报告进展"]
    task_rows = [[t.plan, t.path, t.title or "", "、".join(t.lead_units), t.deadline or "", t.status, t.reason,
                  t.narrative] for t in states]
    header = ["方案", "任务", "指标", "目标", "完成时限", "机构", "进展", "基线", "最新值", "当前应达", "到期预计", "牵头单位", "说明"]
    table_rows = [
        [r.plan, f"{r.task_path} {r.task_title or ''}", r.indicator, r.target, r.deadline or "", r.org, r.status,
         _pv(r.baseline), _pv(r.latest), _n(r.expected_now), _n(r.projected), "、".join(r.lead_units), r.reason]
        for r in rows
    ]
    if output_format == "xlsx":
        sheets = {"目标进展": (header, table_rows)}
        if tasks:
            sheets["任务状态"] = (task_header, task_rows)
        write_tables_xlsx(f"目标进展（{period}）", sheets, out)
        typer.echo(f"已写入 {out}（{len(rows)} 项）")
        return
    if not rows:
        typer.echo("没有可评价的目标：请先导入方案（hqd ledger import），并确保目标已关联指标库、已有填报数据。")
        return
    table = Table(title=f"目标进展（{period}）", show_lines=False)
    for h in ("指标", "目标", "完成时限", "机构", "进展", "基线", "最新值", "到期预计", "牵头单位"):
        table.add_column(h, overflow="fold")
    for r in rows:
        table.add_row(Text(r.indicator), Text(r.target), Text(r.deadline or ""), Text(r.org),
                      Text(r.status, style=_STYLE.get(r.status, "")), Text(_pv(r.baseline)), Text(_pv(r.latest)),
                      Text(_n(r.projected)), Text("、".join(r.lead_units)))
    console = Console() if sys.stdout.isatty() else Console(width=200)
    console.print(table)
    if tasks:
        task_table = Table(title=f"任务状态（{period}）")
        for h in ("任务", "名称", "牵头单位", "完成时限", "状态", "说明"):
            task_table.add_column(h, overflow="fold")
        for t in states:
            task_table.add_row(*(Text(x) for x in (t.path, t.title or "", "、".join(t.lead_units), t.deadline or "",
                                                   t.status, t.reason)))
        console.print(task_table)


def _pv(pv) -> str:
    return f"{pv[1]:.4g}（{pv[0]}）" if pv else "—"


def _n(x) -> str:
    return "—" if x is None else f"{x:.4g}"


def _stop(message: str):
    typer.echo(message, err=True)
    raise typer.Exit(2)
