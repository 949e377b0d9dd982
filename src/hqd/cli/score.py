"""`hqd score --set 三级 --year 2024`: 国考-style scores, grades, ranks and rank changes."""

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


def score(
    set_name: Annotated[str, typer.Option("--set", help="指标体系：三级、二级（或代码 T3、T2）")] = "三级",
    year: Annotated[int, typer.Option("--year", "-y", help="年度，如 2024")] = 2024,
    output_format: Annotated[str, typer.Option("--format", "-f", help="输出格式：table、json 或 xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="xlsx 输出文件")] = None,
    rules_file: Annotated[Path | None, typer.Option("--rules", help="评分规则 YAML（方法、权重、最少数据、等级划分）")] = None,
) -> None:
    """按同类机构（级别×类型）计算综合得分、等级、名次和名次变化，并给出影响得分最大的指标。"""
    from hqd.monitoring import score_hospitals
    from hqd.report.tables import write_tables_xlsx
    from hqd.store.db import open_store
    from hqd.store.errors import StoreError

    if output_format not in ("table", "json", "xlsx") or (output_format == "xlsx" and out is None):
        typer.echo("错误：输出格式可选 table、json、xlsx；xlsx 需要用 --out 指定输出文件", err=True)
        raise typer.Exit(2)
    try:
        rules = load_rules(rules_file) if rules_file else None
        rows, rules = score_hospitals(open_store(), set_name, year, rules)
    except (StoreError, KeyError, ValueError) as error:
        typer.echo(f"错误：{error}", err=True)
        raise typer.Exit(2) from None
    if output_format == "json":
        payload = {"rules": rules.to_dict(), "results": [asdict(r) for r in rows]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    header = ["同类组", "机构", "名称", "得分", "等级", "名次", "名次变化", "影响最大的指标", "说明"]
    table_rows = [[r.peer_group, r.org, r.name, "" if r.score is None else round(r.score, 2), r.grade or "",
                   r.rank or "", _change(r.rank_change), _movers(r.movers), r.reason] for r in rows]
    rule_note = f"评分规则：{rules.name}（{rules.version}），标准化 {rules.method}，等级按同类组内名次百分位"
    if output_format == "xlsx":
        write_tables_xlsx(f"{set_name}公立医院综合评分（{year}年）", {"评分排名": (header, table_rows),
                                                                 "评分规则": (["项目", "取值"], [[k, str(v)] for k, v in rules.to_dict().items()])}, out)
        typer.echo(f"已写入 {out}（{len(rows)} 家）")
        return
    console = Console() if sys.stdout.isatty() else Console(width=200)
    table = Table(title=f"{set_name}公立医院综合评分（{year}年）", caption=rule_note)
    for h in header[:-1]:
        table.add_column(h, overflow="fold")
    for row in table_rows:
        table.add_row(*(Text(str(x)) for x in row[:-1]))
    console.print(table)


def _change(x: int | None) -> str:
    if x is None:
        return "—"
    return f"↑{x}" if x > 0 else (f"↓{-x}" if x < 0 else "0")


def _movers(movers: list[tuple[str, float]]) -> str:
    return "；".join(f"{code}（{points:+.1f}）" for code, points in movers)


def load_rules(path: Path):
    """Scoring rules from YAML: any ScoringRules field, e.g. method, dimension_weights, grades."""
    from dataclasses import fields

    import yaml

    from hqd.evaluate import ScoringRules

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}：无法读取评分规则（{error}）") from None
    known = {f.name for f in fields(ScoringRules)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"{path}：未知的规则项 {'、'.join(unknown)}；可用：{'、'.join(sorted(known))}")
    if raw.get("method", "percentile") not in ("percentile", "zscore"):
        raise ValueError(f"{path}：method 应为 percentile 或 zscore")
    if "grades" in raw:
        raw["grades"] = tuple((str(g), float(upto)) for g, upto in raw["grades"])
    return ScoringRules(**raw)
