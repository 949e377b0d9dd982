"""`hqd catalog list|show|search|validate|sql`: the indicator catalog (指标库)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from hqd.catalog import Catalog, CatalogError, Indicator, default_catalog, match, validate
from hqd.catalog.models import TAG_LABELS

app = typer.Typer(help="指标库：国家绩效考核、高质量发展评价与区域规划指标", no_args_is_help=True, add_completion=False)
_out = Console()
_err = Console(stderr=True)

_COLUMNS = ["代码", "序号", "指标名称", "指标体系", "一级指标", "二级指标", "国家监测", "属性", "单位", "导向",
            "数据来源", "核实", "分子", "分母", "系数", "汇总方式", "定义"]


def _fail(msg: str) -> None:
    _err.print(f"[red]错误：[/red]{msg}", highlight=False)
    raise typer.Exit(2)


def _catalog() -> Catalog:
    try:
        return default_catalog()
    except CatalogError as e:
        _fail(str(e))
        raise  # unreachable


def _formula_text(cat: Catalog, ind: Indicator) -> tuple[str, str, str]:
    fs = cat.formulas(ind.code)
    if not fs:
        return "", "", ""
    if len(fs) > 1:
        return f"（{len(fs)}个子项，见 hqd catalog show {ind.code}）", "", ""
    f = fs[0][2]
    return f.numerator, f.denominator or "", f"{f.factor:g}"


def _row(cat: Catalog, ind: Indicator) -> dict[str, Any]:
    num, den, factor = _formula_text(cat, ind)
    return {
        "代码": ind.code, "序号": ind.seq or "", "指标名称": ind.name, "指标体系": cat.sets[ind.set].name,
        "一级指标": ind.dimension[0] if ind.dimension else "", "二级指标": ind.dimension[1] if len(ind.dimension) > 1 else "",
        "国家监测": "▲" if ind.national else "", "属性": ind.kind, "单位": ind.unit, "导向": ind.direction,
        "数据来源": ind.source, "核实": ind.tag, "分子": num, "分母": den, "系数": factor,
        "汇总方式": {"sum": "分子分母分别汇总", "average": "下级取平均", "none": "不汇总"}[ind.rollup],
        "定义": ind.definition,
    }


@app.command("list", help="列出指标（可按指标体系筛选），输出表格、JSON或Excel")
def list_(
    set_: str | None = typer.Option(None, "--set", "-s", help="指标体系代码：T3、T2、HQ、RG"),
    format: str = typer.Option("table", "--format", "-f", help="输出格式：table、json 或 xlsx"),
    out: Path | None = typer.Option(None, "--out", "-o", help="输出文件（xlsx 必须指定）"),
) -> None:
    cat = _catalog()
    if format not in ("table", "json", "xlsx"):
        _fail(f"不支持的输出格式“{format}”，可选：table、json、xlsx")
    if set_ is not None and set_ not in cat.sets:
        _fail(f"未知的指标体系“{set_}”，可选：{'、'.join(f'{k}（{v.name}）' for k, v in cat.sets.items())}")
    inds = [i for i in cat.indicators.values() if set_ is None or i.set == set_]
    rows = [_row(cat, i) for i in inds]
    if format == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    elif format == "xlsx":
        if out is None:
            _fail("xlsx 格式需要用 --out 指定输出文件")
        assert out is not None
        _write_xlsx(rows, out)
        _out.print(f"已写出 {len(rows)} 个指标到 {out}")
    else:
        table = Table(title=f"指标库（{len(rows)}个指标）")
        for c in ("代码", "指标名称", "国家监测", "属性", "单位", "导向", "核实"):
            table.add_column(c)
        for r in rows:
            table.add_row(*(str(r[c]) for c in ("代码", "指标名称", "国家监测", "属性", "单位", "导向", "核实")))
        _out.print(table)


def _write_xlsx(rows: list[dict[str, Any]], out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "指标库"
    ws.append(_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r[c] for c in _COLUMNS])
    ws.freeze_panes = "A2"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as e:
        _fail(f"无法写入文件 {out}：{e.strerror or e}")


@app.command("show", help="显示一个指标的完整定义")
def show(code: str = typer.Argument(..., help="指标代码，如 T3-31")) -> None:
    cat = _catalog()
    try:
        ind = cat.get(code)
    except KeyError:
        hint = [m.code for m in match(code)[:3]]
        _fail(f"未知的指标代码“{code}”" + (f"；是否要找：{'、'.join(hint)}" if hint else ""))
        return
    lines = [
        f"[bold]{ind.code} {ind.name}[/bold]" + (" ▲" if ind.national else ""),
        f"指标体系：{cat.sets[ind.set].name}（{ind.version}版）" + (f"　序号：{ind.seq}" if ind.seq else ""),
        f"维度：{' / '.join(ind.dimension)}" if ind.dimension else "",
        f"属性：{ind.kind}　单位：{ind.unit}　导向：{ind.direction}　数据来源：{ind.source}",
        f"核实情况：{ind.tag}（{TAG_LABELS[ind.tag]}）",
        f"别名：{'、'.join(ind.aliases)}" if ind.aliases else "",
        f"等同指标：{'、'.join(ind.same_as)}" if ind.same_as else "",
        f"定义：{ind.definition}",
    ]
    for pcode, pname, f in cat.formulas(ind.code):
        label = f"{pcode} {pname}" if pcode != ind.code else "公式"
        lines.append(f"{label}：分子 = {f.numerator}" + (f"；分母 = {f.denominator}" if f.denominator else "")
                     + f"；系数 = {f.factor:g}")
    if ind.option:
        opt = cat.options[ind.option]
        lines.append(f"口径选项 {opt.code}（{opt.name}），默认 {opt.default}：{opt.note}")
        for k, v in ind.variants.items():
            lines.append(f"　{k}：{v.numerator}" + (f" / ({v.denominator})" if v.denominator else "") + f" × {v.factor:g}")
    if ind.grades:
        lines.append(f"分级取值：{'、'.join(ind.grades)}")
    if ind.grades_note:
        lines.append(f"分级说明：{ind.grades_note}")
    if ind.no_formula:
        lines.append(f"无公式：{ind.no_formula}")
    lines.append(f"汇总方式：{ {'sum': '分子分母分别汇总后计算', 'average': '下级数值取平均', 'none': '不由下级汇总'}[ind.rollup] }")
    used = []
    for _c, _n, f in cat.formulas(ind.code):
        from hqd.catalog import expr

        for t in (f.numerator, f.denominator):
            if t:
                used += [c for c in expr.codes(t) if c not in used]
    for c in used:
        el = cat.elements[c]
        extra = f"；= {cat.element_formula(c)}" if el.derived else ""
        lines.append(f"　数据项 {c}：{el.name}（{el.unit}，{ {'sum': '求和', 'average': '平均', 'last': '期末值'}[el.aggregation] }）{extra}")
    _out.print("\n".join(line for line in lines if line), highlight=False)


@app.command("search", help="按名称、别名或口语化表述查找指标")
def search(text: str = typer.Argument(..., help="指标表述，如 千人床位数、醫護比")) -> None:
    ms = match(text, limit=10)
    if not ms:
        _out.print(f"没有找到与“{text}”相近的指标")
        return
    table = Table(title=f"“{text}”的匹配结果")
    for c in ("代码", "指标名称", "得分", "方式"):
        table.add_column(c)
    how = {"exact": "名称/别名", "scope": "去除范围词", "fuzzy": "近似", "embedding": "语义"}
    for m in ms:
        table.add_row(m.code, m.name, f"{m.score:.2f}", how.get(m.how, m.how))
    _out.print(table)


@app.command("validate", help="校验指标库文件（如省级自定义指标文件），逐条报告问题")
def validate_cmd(paths: list[Path] = typer.Argument(None, help="要校验的YAML文件或目录；不指定时校验内置指标库")) -> None:
    files: list[Path] = []
    for p in paths or []:
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                _fail(f"目录 {p} 中没有YAML文件")
            files += found
        else:
            files.append(p)
    problems = validate(files)
    if problems:
        _err.print(f"[red]发现 {len(problems)} 个问题：[/red]")
        for p in problems:
            _err.print(f"  {p}", highlight=False)
        raise typer.Exit(2)
    what = "、".join(str(p) for p in paths) if paths else "内置指标库"
    _out.print(f"校验通过：{what}", highlight=False)


@app.command("sql", help="把指标公式编译为SQL（data_value 长表 + org_parent 机构上下级表）")
def sql_cmd(
    code: str = typer.Argument(..., help="指标代码（含子项代码，如 T2-21.1）"),
    period: str = typer.Option(..., "--period", "-p", help="期间：2024、2024Q1 或 2024-03"),
    dialect: str = typer.Option("sqlite", "--dialect", "-d", help="sqlite、postgres、duckdb 或 spark"),
    no_rollup: bool = typer.Option(False, "--no-rollup", help="只用机构自身数据，不汇总下级"),
    option: list[str] = typer.Option(None, "--option", help="口径选项，如 staff_expense_basis=2019"),
) -> None:
    from hqd.indicators import CompileError, PeriodError, compile_sql, plan

    cat = _catalog()
    opts: dict[str, str] = {}
    for o in option or []:
        if "=" not in o:
            _fail(f"口径选项“{o}”格式应为 名称=取值")
        k, v = o.split("=", 1)
        opts[k.strip()] = v.strip()
    try:
        cat.get(code)
    except KeyError:
        _fail(f"未知的指标代码“{code}”")
    try:
        plans = plan(code, catalog=cat, options=opts)
        if not plans:
            _fail(f"指标 {code} 为定性指标或无公式，不能编译为SQL")
        for p in plans:
            sys.stdout.write(f"-- {p.code}\n{compile_sql(p, period, dialect=dialect, rollup=not no_rollup)};\n")
    except (ValueError, CompileError, PeriodError) as e:
        _fail(str(e))
