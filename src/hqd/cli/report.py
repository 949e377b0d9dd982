"""`hqd report`: the quarterly monitoring report and the 台账 with status, from the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ._common import fail, get_store, run

app = typer.Typer(help="报告：季度监测报告（docx/pdf/xlsx）、带进展的任务台账（xlsx）", no_args_is_help=True)
FORMATS = ("docx", "pdf", "xlsx")


def _day(today: str | None) -> date:
    from hqd.config import load_settings

    text = today or load_settings().today
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        fail(f"日期“{text}”格式不正确，应为 YYYY-MM-DD")


def _evaluation(store, period: str, day: date):
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from hqd.report.from_store import evaluation

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True) as bar:
        bar.add_task(f"评价 {period} 的目标进展、任务状态和督办事项……", total=None)
        return run(lambda: evaluation(store, period, day))


def _require_org(store, org: str) -> None:
    from hqd.report.data import get_org

    with store.session() as s:
        if get_org(s, org) is None:
            fail(f"机构代码“{org}”不存在")


@app.command("quarterly")
def quarterly(
    period: Annotated[str, typer.Option("--period", "-p", help="季度，如 2025Q2")],
    org: Annotated[str, typer.Option("--org", help="报告地区或机构的代码，如 HZ")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="docx、pdf 或 xlsx")] = "docx",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出文件（默认 out/reports/地区_期间.格式）")] = None,
    today: Annotated[str | None, typer.Option("--today", help="报告日期和判断逾期的日期（YYYY-MM-DD）")] = None,
) -> None:
    """季度监测报告：总体情况、目标进展表、重点指标走势图、滞后单位、任务推进、数据报送。"""
    from hqd.periods import Period, PeriodError
    from hqd.report.from_store import quarterly_report, write_quarterly

    if output_format not in FORMATS:
        fail(f"不支持的格式“{output_format}”，可选 docx、pdf、xlsx")
    try:
        if Period.parse(period).kind != "Q":
            fail(f"期间“{period}”不是季度（如 2025Q2）")
    except PeriodError as exc:
        fail(f"期间“{period}”无效：{exc}")
    day = _day(today)
    store = get_store()
    _require_org(store, org)  # before the long evaluation
    ev = _evaluation(store, period, day)
    report = run(lambda: quarterly_report(store, period, org, day, ev))
    path = out or Path("out/reports") / f"{org}_{period}_季度监测报告.{output_format}"
    run(lambda: write_quarterly(report, path, output_format))
    typer.echo(f"已生成 {path}（目标 {len(report.targets)} 项，督办事项 {len(report.lagging)} 项，任务 {len(report.tasks)} 项）")


@app.command("ledger")
def ledger(
    plan: Annotated[str, typer.Argument(help="已导入方案的文号、编号或文件名")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="xlsx")] = "xlsx",
    period: Annotated[str | None, typer.Option("--period", "-p", help="进展所属季度（默认有数据的最近季度）")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出文件")] = None,
    today: Annotated[str | None, typer.Option("--today", help="判断逾期的日期（YYYY-MM-DD）")] = None,
) -> None:
    """任务台账（xlsx），填入各项任务的状态和进展、各项目标的最新值和进展。"""
    from hqd.report.data import latest_period
    from hqd.report.from_store import write_ledger_with_status

    if output_format != "xlsx":
        fail(f"台账只支持 xlsx 格式，不支持“{output_format}”")
    store = get_store()
    period = period or run(lambda: latest_period(store))
    if period is None:
        fail("数据库中还没有季度数据，请用 --period 指定季度")
    day = _day(today)
    from hqd.report.from_store import find_plan

    run(lambda: find_plan(store, plan))  # a wrong plan fails before the long evaluation
    ev = _evaluation(store, period, day)
    path = out or Path("out/reports") / f"台账_{plan.replace('/', '_')}_{period}.xlsx"
    run(lambda: write_ledger_with_status(store, plan, period, day, path, ev))
    typer.echo(f"已生成 {path}")
