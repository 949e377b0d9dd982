"""`hqd records …`: discharge records (病案首页) → per-record flags → data values."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hqd.records import RecordsError
from hqd.records.elements import ELEMENTS
from hqd.records.measures import MEASURES
from hqd.records.periods import parse_period
from hqd.records.pipeline import ComputeResult, RejectReport, Session, check
from hqd.records.synth import synth as synth_records

app = typer.Typer(help="病案首页出院记录：生成合成数据、校验、计算国考指标数据项、明细追溯", no_args_is_help=True)
err = Console(stderr=True)
# Tables are wide: never squeeze them to 80 columns when the output is a file or a pipe.
out = Console(width=None if sys.stdout.isatty() else 220)


def _fail(e: RecordsError) -> None:
    err.print(f"[red]错误：[/red]{e}", highlight=False)
    raise typer.Exit(2)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=False)


@app.command("synth", help="生成确定性的合成出院记录（Parquet，分块写出）")
def synth(
    rows: int = typer.Option(..., "--rows", help="记录条数"),
    hospitals: int = typer.Option(..., "--hospitals", help="医院数"),
    year: int = typer.Option(..., "--year", help="出院年份"),
    out_dir: Path = typer.Option(..., "--out", help="输出目录"),
    seed: int = typer.Option(20250101, "--seed", help="随机种子（相同参数得到相同数据）"),
    chunk_rows: int = typer.Option(2_000_000, "--chunk-rows", help="每个 Parquet 文件的记录数"),
    malformed: int = typer.Option(0, "--malformed", help="在第一块中故意写入的不合格记录数（演示校验用）"),
) -> None:
    try:
        with _progress() as p:
            task = p.add_task("生成合成记录", total=rows)
            paths = synth_records(out_dir, rows, hospitals, year, seed=seed, chunk_rows=chunk_rows,
                                  malformed=malformed, progress=lambda n: p.advance(task, n))
    except RecordsError as e:
        _fail(e)
    err.print(f"已写出 {rows:,} 条记录、{len(paths)} 个文件到 {out_dir}（医院清单见 {out_dir}/_meta/hospitals.csv）",
              highlight=False)


def _print_rejects(report: RejectReport) -> None:
    err.print(
        f"共读取 {report.total_rows:,} 条记录：合格 {report.valid_rows:,} 条，"
        f"不合格 {report.rejected:,} 条（单独列出，不参与计算）", highlight=False,
    )
    for reason, n in sorted(report.by_reason.items(), key=lambda kv: -kv[1]):
        err.print(f"  {reason}：{n:,} 条", highlight=False)
    for s in report.samples[:10]:
        where = f"第 {s['line']} 行" if s["line"] is not None else ""
        err.print(f"  例：{s['file']} {where} 记录号 {s['record_id'] or '（空）'}：{s['reason']}", highlight=False)


@app.command("check", help="校验出院记录文件，报告不符合规范的记录（按原因计数并列出示例）")
def check_cmd(
    path: Path = typer.Argument(..., help="Parquet/CSV 文件或目录"),
    encoding: str = typer.Option("auto", "--encoding", help="CSV 编码：auto、utf-8 或 gb18030"),
) -> None:
    try:
        report = check(path, encoding)
    except RecordsError as e:
        _fail(e)
    _print_rejects(report)
    if report.rejected:
        raise typer.Exit(1)


def _write_values(result: ComputeResult, path: Path) -> None:
    suffix = path.suffix.lower()
    rows = [(v.org, v.period, v.element, v.value) for v in result.data_values]
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["org", "period", "element_code", "value"])
            w.writerows(rows)
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = list(zip(*rows, strict=True)) if rows else [[], [], [], []]
        pq.write_table(pa.table({"org": list(cols[0]), "period": list(cols[1]), "element_code": list(cols[2]),
                                 "value": pa.array(cols[3], type=pa.float64())}), path)
    elif suffix == ".json":
        path.write_text(json.dumps(_json(result), ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise RecordsError(f"不支持的输出格式：{path.name}（请用 .csv、.parquet 或 .json）")


def _json(result: ComputeResult) -> dict:
    return {
        "period": result.period,
        "engine": result.engine,
        "records_in_period": result.records_in_period,
        "rejects": {"total_rows": result.rejects.total_rows, "valid_rows": result.rejects.valid_rows,
                    "by_reason": result.rejects.by_reason, "samples": result.rejects.samples},
        "data_values": [{"org": v.org, "period": v.period, "element_code": v.element, "value": v.value}
                        for v in result.data_values],
        "indicators": [{"org": r.org, "period": r.period, "measure": r.measure, "numerator": r.numerator,
                        "denominator": r.denominator, "excluded": r.excluded, "value": r.value}
                       for r in result.rates],
    }


def _table(result: ComputeResult) -> None:
    t = Table(title=f"国考指标（病案首页）{result.period}，引擎 {result.engine}", show_lines=False)
    t.add_column("机构")
    t.add_column("期间")
    for m in MEASURES:
        t.add_column(m.id, justify="right")
    t.caption = "；".join(f"{m.id} {m.name}" + (f"（{m.unit}）" if m.unit else "") for m in MEASURES)
    by_key: dict[tuple[str, str], dict[str, float | None]] = {}
    for r in result.rates:
        by_key.setdefault((r.org, r.period), {})[r.measure] = r.value
    for (org, per), vals in by_key.items():
        cells = []
        for m in MEASURES:
            v = vals.get(m.id)
            cells.append("—" if v is None else (f"{v:.2f}" if m.unit in ("%", "天", "元") else f"{v:.3f}"))
        t.add_row(org, per, *cells)
    out.print(t)


@app.command("compute", help="计算指定期间各医院的指标数据项（机构 × 期间 × 数据项）")
def compute_cmd(
    path: Path = typer.Argument(..., help="Parquet/CSV 文件或目录"),
    period: str = typer.Option(..., "--period", help="期间：2025、2025Q2 或 2025-03"),
    engine: str = typer.Option("duckdb", "--engine", help="计算引擎：duckdb 或 spark"),
    reference: Path | None = typer.Option(None, "--reference", help="参考人群数据（默认：输入数据中同一年度的全部合格记录）"),
    output: Path | None = typer.Option(None, "--out", help="数据项输出文件（.csv、.parquet 或 .json）"),
    fmt: str = typer.Option("table", "--format", help="屏幕输出：table、json 或 none"),
    encoding: str = typer.Option("auto", "--encoding", help="CSV 编码：auto、utf-8 或 gb18030"),
) -> None:
    if fmt not in ("table", "json", "none"):
        _fail(RecordsError(f"不支持的输出格式：{fmt}（可选 table、json、none）"))
    steps = 4
    try:
        parse_period(period)  # a mistyped period is reported before any data is opened
        with _progress() as p:
            task = p.add_task("打开数据", total=steps)
            done = [0]

            def step(desc: str) -> None:
                done[0] += 1
                p.update(task, description=desc, completed=done[0])

            with Session(path, engine, reference=reference, encoding=encoding) as s:
                result = s.compute(period, step)
            p.update(task, description="完成", completed=steps)
        if output is not None:
            _write_values(result, output)
    except RecordsError as e:
        _fail(e)
    _print_rejects(result.rejects)
    if fmt == "json":
        sys.stdout.write(json.dumps(_json(result), ensure_ascii=False, indent=1) + "\n")
    elif fmt == "table":
        _table(result)
    if output is not None:
        err.print(f"数据项已写出：{output}（{len(result.data_values):,} 行）", highlight=False)


@app.command("drill", help="明细追溯：列出某医院某指标分子（或分母、排除）背后的出院记录")
def drill_cmd(
    path: Path = typer.Argument(..., help="Parquet/CSV 文件或目录"),
    measure: str = typer.Option(..., "--measure", help="指标代码，见 hqd records measures"),
    org: str = typer.Option(..., "--org", help="医疗机构代码"),
    period: str = typer.Option(..., "--period", help="期间：2025、2025Q2 或 2025-03"),
    part: str = typer.Option("numerator", "--part", help="numerator（分子）、denominator（分母）或 exclusion（排除）"),
    limit: int = typer.Option(100, "--limit", help="最多列出的记录数；0 表示全部"),
    engine: str = typer.Option("duckdb", "--engine", help="计算引擎：duckdb 或 spark"),
    encoding: str = typer.Option("auto", "--encoding", help="CSV 编码：auto、utf-8 或 gb18030"),
) -> None:
    try:
        with Session(path, engine, encoding=encoding) as s:
            rows = s.drill(measure, org, period, part, limit or None)
    except RecordsError as e:
        _fail(e)
    w = csv.writer(sys.stdout)
    w.writerow(["record_id", "org_code", "discharge_date", "denominator", "numerator", "exclusion", "exclusion_reason"])
    for r in rows:
        w.writerow([r["record_id"], r["org_code"], r["discharge_date"], r["denominator"], r["numerator"],
                    r["exclusion"], r["exclusion_reason"] or ""])
    err.print(f"共 {len(rows)} 条", highlight=False)


@app.command("flags", help="导出逐条标志表（Tuva 形式：指标 × 记录，含分母、分子、排除及原因）为 Parquet")
def flags_cmd(
    path: Path = typer.Argument(..., help="Parquet/CSV 文件或目录"),
    period: str = typer.Option(..., "--period", help="期间：2025、2025Q2 或 2025-03"),
    output: Path = typer.Option(..., "--out", help="输出 Parquet 文件"),
    encoding: str = typer.Option("auto", "--encoding", help="CSV 编码：auto、utf-8 或 gb18030"),
) -> None:
    try:
        with Session(path, "duckdb", encoding=encoding) as s:
            n = s.export_flags(period, output)
    except RecordsError as e:
        _fail(e)
    err.print(f"已写出 {n:,} 行到 {output}", highlight=False)


@app.command("measures", help="列出指标定义与数据项代码")
def measures_cmd() -> None:
    t = Table(title="病案首页指标")
    for c in ("代码", "指标", "分子数据项", "分母数据项", "排除"):
        t.add_column(c)
    for m in MEASURES:
        t.add_row(m.id, m.name, f"{m.numerator_element} {ELEMENTS[m.numerator_element]}",
                  f"{m.denominator_element} {ELEMENTS[m.denominator_element]}", m.reasons or "—")
    out.print(t)
