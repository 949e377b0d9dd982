"""REST API under /api: plans, tasks, targets, orgs, data values, submissions, evaluation, scores,
alerts. Thin: parse, check the scope, call the service, return JSON."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel, Field

from . import queries as q
from .app import MAX_UPLOAD_BYTES, WebError
from .context import Scope, scope

router = APIRouter(prefix="/api", tags=["api"])
PLAN_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm", ".doc", ".wps")
DATA_SUFFIXES = (".xlsx", ".csv", ".json")


def store(request: Request):
    return request.app.state.store


def default_period(request: Request, period: str | None) -> str:
    from hqd.report.data import latest_period

    if period is None:
        period = latest_period(request.app.state.store)
        if period is None:
            raise WebError(404, "数据库中还没有季度数据", "period")
        return period
    return q.check_period(period)


async def save_upload(upload: UploadFile, suffixes: tuple[str, ...], folder: Path) -> Path:
    # only the last path component, without control characters or separators: "../../x.csv" → "x.csv"
    name = re.sub(r"[\x00-\x1f\x7f\\/:]", "_", Path((upload.filename or "upload").replace("\\", "/")).name)[-120:]
    if name.strip(". ") == "":
        name = "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise WebError(415, f"不支持的文件类型“{suffix or name}”，可上传 {'、'.join(suffixes)}", "file")
    path = folder / name
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise WebError(413, f"文件超过 {MAX_UPLOAD_BYTES // (1 << 20)} MB 上限", "file")
            out.write(chunk)
    if size == 0:
        raise WebError(400, "上传的文件是空的", "file")
    if suffix in (".xlsx", ".docx"):
        from hqd.zipguard import zip_problem

        if problem := zip_problem(path):
            raise WebError(413, f"文件“{name}”{problem}，未读取", "file")
    return path


# ── plans, tasks, targets ─────────────────────────────────────────────────────────────────────


@router.get("/plans", summary="方案列表（含引用关系）")
def list_plans(request: Request, who: Scope = Depends(scope)):
    return q.plans(store(request))


@router.get("/plans/{plan_id}", summary="方案的任务、责任单位、时限和目标（含原文条款）")
def get_plan(plan_id: int, request: Request, who: Scope = Depends(scope)):
    return q.plan_detail(store(request), plan_id)


@router.post("/plans/extract", summary="上传方案文件，返回抽取的台账（不保存）")
async def extract_plan(file: Annotated[UploadFile, File()], who: Scope = Depends(scope)):
    who.require_plans()
    return await extract_upload(file)


async def extract_upload(file: UploadFile) -> dict:
    from hqd.policy import PolicyInputError
    from hqd.store.errors import StoreError
    from hqd.store.ledger import read_plan_text

    with tempfile.TemporaryDirectory(prefix="hqd-upload-") as tmp:
        path = await save_upload(file, PLAN_SUFFIXES, Path(tmp))
        try:
            from hqd.plans import ledger_from_text

            text = read_plan_text(path)
            ledger = ledger_from_text(text, file=path.name).to_dict()
        except (PolicyInputError, StoreError) as exc:
            # name the file as uploaded, never the server's temporary path
            cause = exc if isinstance(exc, PolicyInputError) else exc.__cause__
            reason = cause.reason if isinstance(cause, PolicyInputError) else str(exc).replace(str(path), path.name)
            raise WebError(400, f"文件“{path.name}”：{reason}", "file") from exc
    ledger["source_text"] = text
    return ledger


class LedgerBody(BaseModel):
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    file: str | None = None
    cited_policies: list[dict] = Field(default_factory=list)
    tasks: list[dict]
    source_text: str | None = None


@router.post("/plans", status_code=201, summary="保存（审核修改后的）台账")
def save_plan(body: LedgerBody, request: Request, who: Scope = Depends(scope)):
    who.require_plans()
    return save_ledger(request, body.model_dump(), who)


def save_ledger(request: Request, ledger: dict, who: Scope) -> dict:
    """Save a reviewed ledger. A new plan is owned by the saver's region (an administrator's: the region its
    issuer names); re-saving a stored plan needs the owner in the saver's scope."""
    import hashlib
    import json

    from hqd.store.ledger import existing_plan, import_ledger

    for i, t in enumerate(ledger.get("tasks") or []):
        if not isinstance(t, dict) or not isinstance(t.get("path", []), list):
            raise WebError(422, f"第 {i + 1} 项任务格式不正确", f"tasks.{i}")
    digest = hashlib.sha256((ledger.get("source_text") or json.dumps(ledger, ensure_ascii=False, sort_keys=True))
                            .encode()).hexdigest()
    with store(request).session() as s:
        old = existing_plan(s, ledger, digest)
        owner = (old.org.code if old.org else None, old.title or old.file or str(old.id)) if old else None
        org_id = None if who.role.admin else q.org_or_404(s, who.principal.org_code).id
    if owner is not None:
        who.require_plan_owner(*owner)
    with store(request).session() as s:
        result = import_ledger(s, ledger, content_hash=digest, actor=who.user, org_id=org_id)
    request.app.state.snapshots.invalidate()
    return {"plan_id": result.plan_id, "created": result.created, "tasks": result.tasks_added + result.tasks_updated,
            "targets": result.targets, "title": result.title}


@router.get("/tasks", summary="任务（可按方案筛选；mine=true 只列本人所代表的责任单位在本地区方案中牵头或配合的任务）")
def list_tasks(request: Request, plan_id: int | None = None, mine: bool = False, who: Scope = Depends(scope)):
    rows = q.tasks(store(request), plan_id)
    if mine:
        rows = [t for t in rows if who.speaks_for(t["lead_units"] + t["support_units"], t["plan_org"])]
    return rows


class ProgressBody(BaseModel):
    period: str
    status: Literal["未启动", "进行中", "已完成", "滞后"]
    narrative: str = Field("", max_length=4000)
    unit: str | None = Field(None, description="责任单位；默认本人所代表的单位（系统管理员可代任一单位填报）")


@router.post("/tasks/{task_id}/progress", summary="责任单位报告任务进展（牵头单位的报告同时更新任务状态）")
def report_task_progress(task_id: int, body: ProgressBody, request: Request, who: Scope = Depends(scope)):
    from hqd.collect.progress import report_progress
    from hqd.store.models import Task

    q.check_period(body.period)
    with store(request).session() as s:
        task = s.get(Task, task_id)
        if task is None:
            raise WebError(404, f"任务 {task_id} 不存在", "task_id")
        unit = body.unit if (who.role.admin and body.unit) else who.unit_name
        plan_org = task.plan.org.code if task.plan.org else None
        if not who.role.admin and unit not in {tu.unit.name for tu in task.units}:
            who.deny(f"报告任务 {task_id} 的进展（本人所代表的单位不是该任务的牵头或配合单位）", f"task|{task_id}")
        if not who.role.admin and not who.in_plan_region(plan_org):
            who.deny(f"报告任务 {task_id} 的进展（该任务属{task.plan.org.name}的方案，本人所在机构不在其辖区内；"
                     f"各地同名的责任单位不是同一单位）", f"task|{task_id}")
        if not who.role.admin and not (who.role.write or who.role.approve):
            who.deny("报告任务进展（只读账号）", f"task|{task_id}")
        row = report_progress(s, plan=str(task.plan_id), task_path=task.path, period=body.period, unit=unit or "",
                              status=body.status, narrative=body.narrative, actor=who.user)
        out = {"task_id": task_id, "unit": unit, "period": body.period, "status": row.status, "version": row.version}
    request.app.state.snapshots.invalidate()
    return out


@router.get("/targets", summary="量化目标进展（某期间、某机构）")
def list_targets(request: Request, period: str | None = None, org: str | None = None, who: Scope = Depends(scope)):
    period = default_period(request, period)
    if org:
        q.org_info(store(request), org)
        who.require_see(org)
    ev = request.app.state.snapshots.evaluation(period)
    return [q.plain(r) for r in who.visible(ev.progress) if org is None or r.org == org]


@router.get("/evaluation", summary="目标进展和任务状态")
def get_evaluation(request: Request, period: str | None = None, who: Scope = Depends(scope)):
    period = default_period(request, period)
    ev = request.app.state.snapshots.evaluation(period)
    return {"period": period, "targets": q.plain(who.visible(ev.progress)), "tasks": q.plain(ev.tasks)}


@router.get("/alerts", summary="督办清单（可按责任单位、地区筛选）")
def list_alerts(request: Request, period: str | None = None, unit: str | None = None, region: str | None = None,
                who: Scope = Depends(scope)):
    from .views import filter_alerts

    period = default_period(request, period)
    if region:
        who.require_see(region, "region")
    return q.plain(filter_alerts(request, period, unit, region, who))


@router.get("/scores", summary="国考式综合评分、等级、名次和名次变化")
def list_scores(request: Request, year: Annotated[int, Query(ge=2000, le=2100)] = 2024,
                set: Literal["三级", "二级", "高质量发展"] = "三级", who: Scope = Depends(scope)):
    return q.plain(who.visible(request.app.state.snapshots.scores(set, year)))


@router.get("/indicators/{code}/series", summary="某指标在某机构的季度走势")
def indicator_series(code: str, request: Request, org: str, period: str | None = None,
                     count: Annotated[int, Query(ge=1, le=40)] = 14, who: Scope = Depends(scope)):
    from hqd.catalog import default_catalog
    from hqd.report.data import indicator_series as series
    from hqd.report.data import quarters_up_to

    if code not in default_catalog().indicators:
        raise WebError(404, f"指标代码“{code}”不存在", "code")
    q.org_info(store(request), org)
    who.require_see(org)
    period = default_period(request, period)
    return q.plain(series(store(request), code, org, quarters_up_to(period, count)))


# ── orgs, data sets, values, submissions ──────────────────────────────────────────────────────


@router.get("/orgs", summary="机构（默认省、市、区县；parent 给出下级机构）")
def list_orgs(request: Request, parent: str | None = None, who: Scope = Depends(scope)):
    if parent:
        q.org_info(store(request), parent)
        who.require_see(parent, "parent")
    return who.visible_orgs(q.orgs(store(request), parent), parent)


@router.get("/orgs/{code}", summary="机构信息")
def get_org(code: str, request: Request, who: Scope = Depends(scope)):
    info = q.org_info(store(request), code)
    who.require_see(code, "code")
    return info


@router.get("/datasets", summary="数据集（填报表）")
def list_datasets(request: Request, who: Scope = Depends(scope)):
    return q.data_sets(store(request))


@router.get("/values", summary="某机构某期间某数据集的数据值和版本")
def get_values(request: Request, dataset: str, org: str, period: str, who: Scope = Depends(scope)):
    who.require_see(org)
    return q.entry_form(store(request), dataset, q.check_period(period), org)


class ValueBody(BaseModel):
    org: str
    element: str
    period: str
    value: float | None
    version: int | None = Field(None, description="读取时的版本号；新值不填")
    comment: str | None = Field(None, max_length=500)


@router.put("/values", summary="录入或修改一个数据值（版本号防止覆盖他人修改）")
def put_value(body: ValueBody, request: Request, who: Scope = Depends(scope)):
    from dataclasses import asdict

    from hqd.store.values import set_value

    q.check_period(body.period)
    who.require_write(body.org)
    with store(request).session() as s:
        q.org_or_404(s, body.org)
        view = set_value(s, body.org, body.element, body.period, body.value, actor=who.user, source="api",
                         expected_version=body.version or None, comment=body.comment)
    request.app.state.snapshots.invalidate()
    return asdict(view)


@router.post("/values/import", summary="上传填好的 Excel 模板（或 CSV、JSON），有错误时逐格列出且不写入")
async def import_values(request: Request, file: Annotated[UploadFile, File()], who: Scope = Depends(scope)):
    from dataclasses import asdict

    report = await import_upload(request, file, who)
    status = 200 if report.written else 422
    from fastapi.responses import JSONResponse

    body = asdict(report)
    if not report.written:
        body["detail"] = f"文件有 {len(report.errors)} 处错误，未写入"
        body["field"] = "file"
    return JSONResponse(body, status_code=status)


async def import_upload(request: Request, file: UploadFile, who: Scope):
    from starlette.concurrency import run_in_threadpool

    from hqd.collect.importer import import_file

    if not who.role.write:
        who.deny("导入数据", "values/import", "file")
    with tempfile.TemporaryDirectory(prefix="hqd-upload-") as tmp:
        path = await save_upload(file, DATA_SUFFIXES, Path(tmp))
        report = await run_in_threadpool(import_file, store(request), path, actor=who.user, source="file",
                                         within=who.org_path)
    if report.written:
        request.app.state.snapshots.invalidate()
    return report


@router.get("/submissions", summary="某数据集某期间各机构的报送状态")
def list_submissions(request: Request, dataset: str, period: str,
                     status: Literal["draft", "submitted", "approved", "returned"] | None = None,
                     who: Scope = Depends(scope)):
    return q.submissions(store(request), dataset, q.check_period(period), status, within=who.org_path)


class SubmissionAction(BaseModel):
    dataset: str
    org: str
    period: str
    reason: str | None = Field(None, max_length=1000)


@router.post("/submissions/{action}", summary="上报、审核通过、退回或重新打开")
def act_on_submission(action: Literal["submit", "approve", "return", "reopen"], request: Request,
                      body: Annotated[SubmissionAction, Body()], who: Scope = Depends(scope)):
    return submission_action(request, action, body.dataset, body.org, body.period, body.reason, who)


def submission_action(request: Request, action: str, dataset: str, org: str, period: str, reason: str | None,
                      who: Scope) -> dict:
    from hqd.collect import approve, reopen, return_, submit

    q.check_period(period)
    if action in ("return", "reopen") and not (reason or "").strip():
        raise WebError(422, "退回或重新打开需要填写原因", "reason")
    if action == "submit":
        who.require_write(org)
    else:
        who.require_approve(org)
    with store(request).session() as s:
        q.org_or_404(s, org)
        if action == "submit":
            sub = submit(s, dataset, org, period, actor=who.user)
        elif action == "approve":
            sub = approve(s, dataset, org, period, actor=who.user)
        elif action == "return":
            sub = return_(s, dataset, org, period, reason=reason or "", actor=who.user)
        else:
            sub = reopen(s, dataset, org, period, reason=reason or "", actor=who.user)
        status = sub.status
    request.app.state.snapshots.invalidate()
    return {"dataset": dataset, "org": org, "period": period, "status": status,
            "status_name": q.SUBMISSION_NAMES.get(status, status)}


# ── the signed-in user ────────────────────────────────────────────────────────────────────────


@router.get("/me", summary="当前用户、角色、所属机构，以及网页会话的 CSRF 令牌（写请求放在 X-CSRF-Token 头）")
def me(who: Scope = Depends(scope)):
    p = who.principal
    return {"username": p.username, "display_name": p.display_name, "role": p.role, "role_name": p.role_name,
            "org": p.org_code, "unit": p.unit, "csrf_token": p.csrf, "via": who.via}
