"""`hqd collect …`: org tree, data elements, data sets, templates, import, submissions, progress, audit."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import actor, fail, get_store, out, store_errors

app = typer.Typer(help="数据填报：机构、数据集、Excel 模板、导入、上报与审核", no_args_is_help=True,
                  add_completion=False)

USER = typer.Option(None, "--user", help="操作人（写入审计日志；默认 HQD_USER 或系统用户名）")
PERIOD = typer.Option(..., "--period", "-p", help="期间，如 2025Q2、2025")
ORG = typer.Option(..., "--org", help="机构代码")


@app.command("orgs", help="从 xlsx/CSV 导入机构树（机构代码、机构名称、上级机构代码、层级、机构类型、等级、分组）")
def orgs_cmd(file: Path = typer.Argument(..., help="机构表 .xlsx 或 .csv"), user: str | None = USER) -> None:
    from hqd.collect import orgs

    store = get_store()
    with store_errors(), store.session() as session:
        r = orgs.import_orgs(session, file, actor=actor(user))
    out(f"机构导入完成：新增 {r.created}，更新 {r.updated}，分组 {r.groups}")


@app.command("elements", help="导入数据项（数据项代码、数据项名称、单位、汇总方式 sum/average/last），或 --catalog 导入指标库的数据项字典")
def elements_cmd(
    file: Path | None = typer.Argument(None, help=".xlsx、.csv 或 .json"),
    catalog: bool = typer.Option(False, "--catalog", help="导入指标库（hqd catalog）中需要填报的数据项"),
) -> None:
    from hqd.collect import datasets

    if file is None and not catalog:
        fail("请给出数据项文件，或使用 --catalog 导入指标库的数据项")
    store = get_store()
    with store_errors(), store.session() as session:
        n = datasets.load_catalog_elements(session) if catalog else 0
        if file is not None:
            n += datasets.load_elements_file(session, file)
    out(f"已导入 {n} 个数据项")


@app.command("dataset", help="按 YAML/JSON 定义创建或更新数据集（数据项、期间类型、分配机构、及时天数、校验规则）")
def dataset_cmd(file: Path = typer.Argument(..., help="数据集定义 .yaml 或 .json"), user: str | None = USER) -> None:
    from hqd.collect import datasets

    store = get_store()
    with store_errors(), store.session() as session:
        ds = datasets.define_data_set(session, datasets.read_spec(file), actor=actor(user), where=f"文件 {file.name} ")
        out(f"数据集 {ds.code}（{ds.name}）：{len(ds.elements)} 个数据项，{len(ds.orgs)} 个机构，{len(ds.rules)} 条校验规则")


@app.command("template", help="生成 Excel 填报模板：每个机构一个工作表（或 --split 每个机构一个文件）")
def template_cmd(
    dataset: str = typer.Argument(..., help="数据集代码"),
    period: str = PERIOD,
    org: str | None = typer.Option(None, "--org", help="只生成该机构的模板"),
    out_path: Path = typer.Option(Path("."), "--out", "-o", help="输出文件（.xlsx）或目录"),
    split: bool = typer.Option(False, "--split", help="每个机构一个文件"),
) -> None:
    from hqd.collect import template

    store = get_store()
    with store_errors(), store.session() as session:
        paths = template.write_templates(session, dataset, period, out_path, org=org, split=split)
    for p in paths[:20]:
        out(f"已生成 {p}")
    if len(paths) > 20:
        out(f"……共 {len(paths)} 个文件")


@app.command("import", help="导入填报数据（.xlsx 模板、.csv、.json）；有任何错误时不写入任何数据")
def import_cmd(
    file: Path = typer.Argument(..., help="填报文件"),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="数据集代码（CSV/JSON 未注明时必填）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查，不写入"),
    partial: bool = typer.Option(False, "--partial", help="跳过有错误的机构-期间，写入其余正确的数据"),
    user: str | None = USER,
) -> None:
    from hqd.collect import importer

    store = get_store()
    with store_errors():
        r = importer.import_file(store, file, actor=actor(user), data_set=dataset, dry_run=dry_run, partial=partial)
    if r.warnings:
        out(f"警告 {len(r.warnings)} 条（不影响导入）：")
        for w in r.warnings[:100]:
            out(f"  {w}")
        if len(r.warnings) > 100:
            out(f"  ……另有 {len(r.warnings) - 100} 条")
    counts = f"新增 {r.created}，修改 {r.updated}，未变 {r.unchanged}"
    if r.errors and not (partial and r.written):
        fail([f"文件 {r.file} 有 {len(r.errors)} 个错误，未写入任何数据："] + [f"  {e}" for e in r.errors])
    if dry_run:
        out(f"检查通过（{r.rows} 行）。正式导入将：{counts}。本次未写入。")
        return
    if not r.written:
        return  # nothing filled in: the warning above says so
    out(f"已导入 {r.file}（数据集 {r.data_set}，{r.rows} 行）：{counts}")
    if r.errors:
        fail([f"按 --partial 跳过了 {r.skipped_groups} 个有错误的机构-期间，错误 {len(r.errors)} 个："]
             + [f"  {e}" for e in r.errors])


def _transition(name: str, dataset: str, period: str, org: str, user: str | None, **kw) -> None:
    from hqd.collect import submissions

    fn = getattr(submissions, name)
    store = get_store()
    with store_errors(), store.session() as session:
        sub = fn(session, dataset, org, period, actor=actor(user), **kw)
        out(f"{dataset} {org} {period}：{submissions.STATUS_NAMES[sub.status]}")


@app.command("submit", help="上报（标记填报完成，通过校验后锁定数据）")
def submit_cmd(dataset: str = typer.Argument(...), period: str = PERIOD, org: str = ORG, user: str | None = USER) -> None:
    _transition("submit", dataset, period, org, user)


@app.command("approve", help="审核通过（锁定数据）")
def approve_cmd(dataset: str = typer.Argument(...), period: str = PERIOD, org: str = ORG, user: str | None = USER) -> None:
    _transition("approve", dataset, period, org, user)


@app.command("return", help="退回已上报的填报，须说明原因")
def return_cmd(
    dataset: str = typer.Argument(...), period: str = PERIOD, org: str = ORG,
    reason: str = typer.Option(..., "--reason", help="退回原因"), user: str | None = USER,
) -> None:
    _transition("return_", dataset, period, org, user, reason=reason)


@app.command("reopen", help="重新打开已审核通过的填报（解锁数据，记入审计日志），须说明原因")
def reopen_cmd(
    dataset: str = typer.Argument(...), period: str = PERIOD, org: str = ORG,
    reason: str = typer.Option(..., "--reason", help="重新打开的原因"), user: str | None = USER,
) -> None:
    _transition("reopen", dataset, period, org, user, reason=reason)


@app.command("status", help="完整率与及时率（按机构层级）")
def status_cmd(dataset: str = typer.Argument(...), period: str = PERIOD) -> None:
    from hqd.collect import orgs, submissions

    store = get_store()
    with store_errors(), store.session() as session:
        rows = submissions.completeness(session, dataset, period)
    out(f"{dataset} {period}  层级  应报  已报  及时  已审核  完整率  及时率")
    for c in rows:
        label = orgs.LEVEL_NAMES.get(c.level, str(c.level)) if c.level is not None else "合计"
        out(f"  {label:6s} {c.expected:5d} {c.submitted:5d} {c.on_time:5d} {c.approved:6d}  {c.rate:6.1%} {c.timely_rate:6.1%}")


@app.command("outliers", help="数据质量核查：列出偏离本机构历史或同类机构的数值（中位数与 MAD）")
def outliers_cmd(dataset: str = typer.Argument(...), period: str = PERIOD) -> None:
    from hqd.collect.quality import find_outliers

    store = get_store()
    with store_errors(), store.session() as session:
        found = find_outliers(session, dataset, period)
    if not found:
        out(f"{dataset} {period}：未发现异常值")
    for f in found:
        out(f"{f.org}\t{f.element}\t{f.period}\t{f.message}")


@app.command("progress", help="报送任务进展：责任单位按期间填写状态和进展情况")
def progress_cmd(
    plan: str = typer.Option(..., "--plan", help="政策文件文号（或编号）"),
    task: str = typer.Option(..., "--task", help="任务路径，如 二/(一)/3"),
    period: str = PERIOD,
    unit: str = typer.Option(..., "--unit", help="责任单位"),
    status: str = typer.Option(..., "--status", help="未启动、进行中、已完成 或 滞后"),
    narrative: str = typer.Option("", "--narrative", help="进展情况"),
    user: str | None = USER,
) -> None:
    from hqd.collect import progress

    store = get_store()
    with store_errors(), store.session() as session:
        row = progress.report_progress(session, plan=plan, task_path=task, period=period, unit=unit, status=status,
                                       narrative=narrative, actor=actor(user))
        out(f"已记录进展：{unit} {period} {row.status}")


@app.command("audit", help="查看审计日志（按键过滤，如 H001|CYRS|2025Q2）")
def audit_cmd(
    key: str | None = typer.Option(None, "--key", help="键或其开头部分"),
    limit: int = typer.Option(50, "--limit", help="最多显示条数"),
) -> None:
    from sqlalchemy import select

    from hqd.store.models import AuditLog

    store = get_store()
    with store.session() as session:
        q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if key:
            q = q.where(AuditLog.key.startswith(key, autoescape=True))
        for a in session.scalars(q):
            out(f"{a.at:%Y-%m-%d %H:%M:%S} {a.actor} {a.action} {a.entity} {a.key} "
                f"{a.old_value if a.old_value is not None else '∅'} → {a.new_value if a.new_value is not None else '∅'}"
                f" [{a.source or ''}{' ' + a.detail if a.detail else ''}]")



