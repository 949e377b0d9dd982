"""`hqd ledger import PLAN... | list`: plans into the store."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import actor, fail, get_store, out

app = typer.Typer(help="任务台账：把政策文件导入数据库", no_args_is_help=True, add_completion=False)
SUFFIXES = (".txt", ".json", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm")


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES))
        else:
            files.append(p)
    return files


@app.command("import", help="抽取政策文件（或读取台账 JSON）并写入数据库；同一文件（按文号或内容）再次导入时更新而不重复")
def import_cmd(
    plans: list[Path] = typer.Argument(..., help="政策文件、台账 JSON 或目录"),
    user: str | None = typer.Option(None, "--user", help="操作人（写入审计日志）"),
    org: str | None = typer.Option(None, "--org", help="新方案所属地区的机构代码（默认按发文机关名称判断，判断不出时属根机构）"),
) -> None:
    from sqlalchemy import select

    from hqd.store.errors import StoreError
    from hqd.store.ledger import import_ledger, load_plan_file
    from hqd.store.models import Org

    store = get_store()
    who = actor(user)
    org_id = None
    if org:
        with store.session() as session:
            org_id = session.scalar(select(Org.id).where(Org.code == org))
        if org_id is None:
            fail(f"机构代码“{org}”不存在（--org）")
    problems: list[str] = []
    for path in _expand(plans):
        try:
            ledger, digest = load_plan_file(path)
            with store.session() as session:
                r = import_ledger(session, ledger, content_hash=digest, actor=who, org_id=org_id)
        except StoreError as exc:
            problems.extend(f"{path}：{p}" if not p.startswith(str(path)) else p for p in exc.problems)
            continue
        verb = "新增" if r.created else "更新"
        out(f"{verb} {path.name}：{r.title or '（无标题）'}；任务 新增 {r.tasks_added}、更新 {r.tasks_updated}、"
            f"移除 {r.tasks_removed}；目标 {r.targets}")
    if problems:
        fail(["以下文件未导入："] + problems)


@app.command("list", help="列出数据库中的政策文件")
def list_cmd() -> None:
    from sqlalchemy import func, select

    from hqd.store.models import Org, Plan, PlanCitation, Task

    store = get_store()
    with store.session() as session:
        rows = session.execute(
            select(Plan.id, Plan.doc_number, Plan.title, Plan.level, func.count(Task.id), Org.name)
            .outerjoin(Task, Task.plan_id == Plan.id).outerjoin(Org, Org.id == Plan.org_id)
            .group_by(Plan.id, Org.name).order_by(Plan.id))
        for pid, num, title, level, n, region in rows:
            cited = [c.cited_plan_id for c in session.scalars(select(PlanCitation).where(PlanCitation.plan_id == pid))
                     if c.cited_plan_id]
            out(f"{pid}\t{num or '（无文号）'}\t{level or ''}\t{region or ''}\t{n} 项任务\t{title or ''}"
                + (f"\t上位文件 {','.join(map(str, cited))}" if cited else ""))
