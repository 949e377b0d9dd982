"""`hqd alerts`: the 督办清单 — what lags, by responsible unit, with the reason and the numbers."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hqd.periods import Period, PeriodError


def alerts(
    period: Annotated[str, typer.Option("--period", "-p", help="期间，如 2025Q2")],
    unit: Annotated[str | None, typer.Option("--unit", help="只看某个责任单位（名称的一部分即可）")] = None,
    today: Annotated[str | None, typer.Option("--today", help="以哪一天为准判断逾期，默认今天（YYYY-MM-DD）")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="输出格式：table、json 或 xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="xlsx 输出文件")] = None,
) -> None:
    """督办清单：目标滞后、任务逾期或滞后、未报送和迟报、数据异常，按责任单位归集。"""
    from hqd.evaluate.alerts import group_by_unit
    from hqd.monitoring import alerts as find_alerts
    from hqd.report.tables import write_tables_xlsx
    from hqd.store.db import open_store
    from hqd.store.errors import StoreError

    try:
        Period.parse(period)
        day = date.fromisoformat(today) if today else date.today()
    except (PeriodError, ValueError) as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    if output_format not in ("table", "json", "xlsx") or (output_format == "xlsx" and out is None):
        typer.echo("错误：输出格式可选 table、json、xlsx；xlsx 需要用 --out 指定输出文件", err=True)
        raise typer.Exit(2)
    try:
        found = find_alerts(open_store(), period, day, unit=unit)
    except StoreError as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    if output_format == "json":
        sys.stdout.write(json.dumps([asdict(a) for a in found], ensure_ascii=False, indent=2, default=str) + "\n")
        return
    rows = [[a.units[0] if a.units else "", a.severity, a.kind, a.region, a.subject, a.reason] for a in found]
    header = ["责任单位", "级别", "类别", "地区/机构", "事项", "原因"]
    if output_format == "xlsx":
        write_tables_xlsx(f"督办清单（{period}）", {"督办清单": (header, rows)}, out)
        typer.echo(f"已写入 {out}（{len(rows)} 项）")
        return
    console = Console() if sys.stdout.isatty() else Console(width=200)
    if not found:
        console.print(f"{period} 暂无督办事项。")
        return
    for owner, items in group_by_unit(found).items():
        table = Table(title=f"{owner}（{len(items)} 项）", show_lines=False)
        for h in header[1:]:
            table.add_column(h, overflow="fold")
        for a in items:
            table.add_row(*(Text(x) for x in (a.severity, a.kind, a.region, a.subject, a.reason)))
        console.print(table)
