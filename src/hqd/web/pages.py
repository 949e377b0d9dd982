"""The Chinese pages: 总览, 政策台账, 指标, 机构, 填报, 督办, 报告. Server-rendered with Jinja2 (every
value escaped: plan text can contain HTML); ECharts draws from JSON the page embeds."""

from __future__ import annotations

import secrets
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.background import BackgroundTask

from hqd.report.data import latest_period, quarters_up_to

from . import queries as q
from .api import default_period, extract_upload, import_upload, save_ledger, submission_action
from .app import WebError
from .context import Scope, scope
from .views import filter_alerts, overview

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(files("hqd.web").joinpath("templates")))
templates.env.globals["csrf_field"] = pass_context(lambda ctx: Markup(
    f'<input type="hidden" name="csrf_token" value="{escape(getattr(ctx["request"].state, "who", None).csrf or "")}">'
    if getattr(ctx["request"].state, "who", None) else ""))
templates.env.globals["hidden"] = lambda f: Markup("".join(
    f'<input type="hidden" name="{k}" value="{escape(f[k])}">' for k in ("dataset", "period", "org")))


def page(request: Request, name: str, title: str, nav: str, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"title": title, "nav": nav, "today": request.app.state.today,
                                                      **context})


MAX_PENDING_PLANS = 200  # extracted plans awaiting review, in memory
ERROR_TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "请求方式有误", 409: "操作未完成",
                413: "文件过大", 415: "文件类型不支持", 422: "填写内容有误", 429: "操作过于频繁",
                503: "数据库暂时不可用，请稍后重试"}


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    """An error as a page (status kept): what happened, and links back. Reads nothing from the database,
    so it also serves when the database is down."""
    from urllib.parse import urlsplit

    ref = urlsplit(request.headers.get("referer", ""))
    same_site = ref.netloc == request.url.netloc and ref.path.startswith("/") and ref.path != request.url.path
    back = ref.path + (f"?{ref.query}" if ref.query else "") if same_site else "/"
    resp = page(request, "error.html", ERROR_TITLES.get(status, "请求未完成"), "", status=status, detail=detail,
                back=back)
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


def _store(request: Request):
    return request.app.state.store


@router.get("/", response_class=HTMLResponse)
def home(request: Request, period: str | None = None, who: Scope = Depends(scope)):
    period = default_period(request, period)
    return page(request, "overview.html", "总览", "总览", o=overview(request, period, who))


@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request, who: Scope = Depends(scope)):
    return page(request, "plans.html", "政策台账", "政策台账", plans=q.plans(_store(request)))


@router.get("/plans/upload", response_class=HTMLResponse)
def upload_form(request: Request, who: Scope = Depends(scope)):
    who.require_plans()
    return page(request, "upload.html", "上传方案", "政策台账", ledger=None, error=None)


@router.post("/plans/upload", response_class=HTMLResponse)
async def upload_plan(request: Request, file: Annotated[UploadFile, File()], who: Scope = Depends(scope)):
    who.require_plans()
    try:
        ledger = await extract_upload(file)
    except WebError as exc:
        return page(request, "upload.html", "上传方案", "政策台账", ledger=None, error=exc.detail)
    token = secrets.token_urlsafe(16)
    pending = request.app.state.__dict__.setdefault("pending_plans", {})
    pending[token] = (who.user, ledger)  # only the uploader may confirm it
    while len(pending) > MAX_PENDING_PLANS:  # uploads never confirmed: the oldest go first
        pending.pop(next(iter(pending)))
    return page(request, "upload.html", "审核抽取结果", "政策台账", ledger=ledger, token=token, error=None)


@router.post("/plans/confirm")
async def confirm_plan(request: Request, who: Scope = Depends(scope)):
    who.require_plans()
    form = await request.form()
    pending = request.app.state.__dict__.get("pending_plans", {})
    uploader, ledger = pending.get(str(form.get("token")), (None, None))
    if ledger is None or uploader != who.user:
        raise WebError(400, "审核会话已过期，请重新上传方案", "token")
    del pending[str(form.get("token"))]
    for key in ("title", "doc_number", "issuer", "date"):
        ledger[key] = str(form.get(key) or "").strip() or None
    split = __import__("re").compile(r"[、,，;；]")
    for i, task in enumerate(ledger.get("tasks") or []):
        task["title"] = str(form.get(f"task_{i}_title", task.get("title") or ""))
        for role in ("lead", "support"):
            names = [x.strip() for x in split.split(str(form.get(f"task_{i}_{role}", ""))) if x.strip()]
            task[f"{role}_units"] = names
            task[f"{role}_units_canonical"] = names
        task["deadline"] = str(form.get(f"task_{i}_deadline") or "").strip() or None
        for k, target in enumerate(task.get("targets") or []):
            raw = str(form.get(f"task_{i}_target_{k}_value", "")).strip()
            try:
                target["value"] = float(raw) if raw else None
            except ValueError as exc:
                raise WebError(422, f"第 {i + 1} 项任务第 {k + 1} 个目标的数值“{raw}”不是数字", f"task_{i}_target_{k}_value") from exc
    saved = save_ledger(request, ledger, who)
    return RedirectResponse(f"/plans/{saved['plan_id']}", status_code=303)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: int, request: Request, who: Scope = Depends(scope)):
    p = q.plan_detail(_store(request), plan_id)
    states = {}
    period = latest_period(_store(request))
    if period:
        states = {t.path: t.status for t in request.app.state.snapshots.evaluation(period).tasks if t.plan == p["title"]}
    return page(request, "plan.html", p["title"], "政策台账", p=p, states=states)


@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(request: Request, code: str = "RG-01", org: str | None = None, who: Scope = Depends(scope)):
    from hqd.catalog import default_catalog
    from hqd.monitoring import indicator_table
    from hqd.report.data import indicator_series
    from hqd.report.from_store import required_path

    cat = default_catalog()
    if code not in cat.indicators:
        raise WebError(404, f"指标代码“{code}”不存在", "code")
    store = _store(request)
    period = default_period(request, None)
    ev = request.app.state.snapshots.evaluation(period)
    if org is None:
        org = who.principal.org_code
    info = q.org_info(store, org)
    who.require_see(org)
    targeted = sorted({r.catalog_code for r in ev.progress})
    choices = [(c, cat.indicators[c].name) for c in targeted + [i.code for i in cat.in_set("T3") if i.formula]]
    periods = quarters_up_to(period, 14)
    points = indicator_series(store, code, org, periods)
    target = next((r for r in ev.progress if r.catalog_code == code and r.org == org), None)
    series = [{"name": "实际值", "type": "line", "data": [_r(p.value) for p in points]}]
    if target:
        path = dict(required_path(target, periods))
        series.append({"name": "应达路径", "type": "line", "lineStyle": {"type": "dotted"},
                       "data": [_r(path.get(p)) for p in periods]})
        goal = __import__("hqd.report.from_store", fromlist=["_goal"])._goal(target)
        if goal is not None:
            series.append({"name": f"目标值 {goal:g}", "type": "line", "lineStyle": {"type": "dashed"},
                           "data": [goal] * len(periods), "symbol": "none"})
    ind = cat.indicators[code]
    trend = {"title": {"text": f"{info['name']} · {ind.name}（{ind.unit}）", "textStyle": {"fontSize": 14}},
             "tooltip": {"trigger": "axis"}, "legend": {"top": 24}, "grid": {"top": 60, "left": 60, "right": 20},
             "xAxis": {"type": "category", "data": periods}, "yAxis": {"type": "value", "scale": True}, "series": series}
    members = []
    if info["children"]:
        table = indicator_table(store, [code], [period], within=org)  # the subtree only, from the value cache
        for kid in q.orgs(store, org):
            value, num, den = table.point(code, period, kid["code"])
            members.append({**kid, "value": _r(value), "numerator": _r(num), "denominator": _r(den)})
        members.sort(key=lambda m: -(m["value"] if m["value"] is not None else float("-inf")))
    bars = {"tooltip": {}, "grid": {"left": 160, "right": 20, "top": 10},
            "xAxis": {"type": "value", "scale": True},
            "yAxis": {"type": "category", "data": [m["name"] for m in members][::-1]},
            "series": [{"type": "bar", "data": [m["value"] for m in members][::-1]}]}
    return page(request, "indicators.html", "指标", "指标", code=code, org=info, choices=choices, trend=trend,
                bars=bars, members=members, period=period, target=target)


def _r(x):
    return None if x is None else round(float(x), 4)


@router.get("/orgs", response_class=HTMLResponse)
def orgs_page(request: Request, year: int = 2024, who: Scope = Depends(scope)):
    scores = who.visible(request.app.state.snapshots.scores("三级", year))
    return page(request, "orgs.html", "机构", "机构", scores=scores, set_name="三级", year=year, names=_indicator_names(),
                reason=None)


def _indicator_names() -> dict[str, str]:
    from hqd.catalog import default_catalog

    return {c: i.name for c, i in default_catalog().indicators.items()}


@router.get("/orgs/{code}", response_class=HTMLResponse)
def org_page(code: str, request: Request, year: int = 2024, who: Scope = Depends(scope)):
    store = _store(request)
    info = q.org_info(store, code)
    who.require_see(code, "code")
    score = next((r for r in request.app.state.snapshots.scores("三级", year) if r.org == code), None)
    period = default_period(request, None)
    targets = [r for r in request.app.state.snapshots.evaluation(period).progress if r.org == code]
    return page(request, "org.html", info["name"], "机构", org=info, score=score, year=year, period=period,
                targets=targets, names=_indicator_names(), children=q.orgs(store, code) if info["children"] else [])


@router.get("/entry", response_class=HTMLResponse)
def entry_page(request: Request, dataset: str | None = None, period: str | None = None, org: str | None = None,
               message: str | None = None, who: Scope = Depends(scope)):
    store = _store(request)
    sets = q.data_sets(store)
    if not sets:
        raise WebError(404, "还没有数据集，请先用 hqd collect dataset 定义", "dataset")
    period = default_period(request, period)
    if dataset is None:  # the first data set the user's orgs report
        dataset = next((d["code"] for d in sets if org or _first_org(store, d["code"], who, missing_ok=True)),
                       sets[0]["code"])
    org = org or _first_org(store, dataset, who)
    who.require_see(org)
    return page(request, "entry.html", "填报", "填报", datasets=sets, f=q.entry_form(store, dataset, period, org),
                message=message, errors=None)


def _first_org(store, dataset: str, who: Scope, missing_ok: bool = False) -> str | None:
    from sqlalchemy import select

    from hqd.store.models import DataSet, DataSetOrg, Org

    with store.session() as s:
        code = s.scalar(select(Org.code).join(DataSetOrg, DataSetOrg.org_id == Org.id).join(DataSet)
                        .where(DataSet.code == dataset, Org.path.startswith(who.org_path))
                        .order_by(Org.level, Org.code).limit(1))
    if code is None and not missing_ok:
        raise WebError(404, f"数据集“{dataset}”没有分配给您权限范围内的填报机构", "dataset")
    return code


def _entry_url(dataset: str, period: str, org: str, message: str) -> str:
    return f"/entry?dataset={quote(dataset)}&period={quote(period)}&org={quote(org)}&message={quote(message)}"


@router.post("/entry/save")
async def entry_save(request: Request, who: Scope = Depends(scope)):
    from hqd.store.values import ValueWrite, resolve_key, write_values

    form = await request.form()
    dataset, period, org = (str(form.get(k, "")) for k in ("dataset", "period", "org"))
    q.check_period(period)
    who.require_write(org)
    current = q.entry_form(_store(request), dataset, period, org)
    writes, problems = [], []
    with _store(request).session() as s:
        for e in current["elements"]:
            raw = str(form.get(f"v_{e['code']}", "")).strip().replace(",", "")
            try:
                value = float(raw) if raw else None
            except ValueError:
                problems.append(f"{e['name']}（{e['code']}）：“{raw}”不是数字")
                continue
            if value == e["value"] or (value is None and e["value"] is None):
                continue
            o, el, p = resolve_key(s, org, e["code"], period)
            version = int(form.get(f"ver_{e['code']}") or 0) or None
            writes.append(ValueWrite(o.id, el.id, p.id, value, f"{o.code}|{el.code}|{p.code}", None, version))
        if problems:
            return page(request, "entry.html", "填报", "填报", datasets=q.data_sets(_store(request)), f=current,
                        message=None, errors=problems)
        result = write_values(s, writes, actor=who.user, source="form")
    request.app.state.snapshots.invalidate()
    return RedirectResponse(_entry_url(dataset, period, org, f"已保存：新增 {result.created} 项，修改 {result.updated} 项"),
                            status_code=303)


@router.post("/entry/action")
async def entry_action(request: Request, who: Scope = Depends(scope)):
    form = await request.form()
    dataset, period, org, action = (str(form.get(k, "")) for k in ("dataset", "period", "org", "action"))
    if action not in ("submit", "approve", "return", "reopen"):
        raise WebError(422, f"操作“{action}”无效", "action")
    done = submission_action(request, action, dataset, org, period, str(form.get("reason") or "") or None, who)
    message = f"{done['org']}：{done['status_name']}"
    if form.get("back") == "review":
        return RedirectResponse(f"/entry/review?dataset={quote(dataset)}&period={quote(period)}&message={quote(message)}",
                                status_code=303)
    return RedirectResponse(_entry_url(dataset, period, org, message), status_code=303)


@router.get("/entry/review", response_class=HTMLResponse)
def review_page(request: Request, dataset: str, period: str, status: str | None = "submitted", message: str | None = None,
                who: Scope = Depends(scope)):
    rows = q.submissions(_store(request), dataset, q.check_period(period), status or None, within=who.org_path)
    return page(request, "review.html", "报送审核", "填报", rows=rows, dataset=dataset, period=period, message=message)


@router.get("/entry/template")
def entry_template(request: Request, dataset: str, period: str, org: str | None = None, who: Scope = Depends(scope)):
    from hqd.collect.template import write_templates

    q.check_period(period)
    if org is None and not who.role.admin:
        org = who.principal.org_code  # a template of every org is for administrators
    if org:
        who.require_see(org)
    tmp = tempfile.mkdtemp(prefix="hqd-template-")
    out = Path(tmp) / f"{dataset}_{period}{'_' + org if org else ''}.xlsx"
    with _store(request).session() as s:
        paths = write_templates(s, dataset, period, out, org=org)
    return FileResponse(paths[0], filename=paths[0].name, background=BackgroundTask(_rmtree, tmp),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _rmtree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


@router.post("/entry/upload", response_class=HTMLResponse)
async def entry_upload(request: Request, file: Annotated[UploadFile, File()], dataset: Annotated[str, Form()],
                       period: Annotated[str, Form()], org: Annotated[str, Form()], who: Scope = Depends(scope)):
    store = _store(request)
    who.require_see(org)
    try:
        report = await import_upload(request, file, who)
        errors = report.errors if not report.written else None
        message = (f"已导入 {report.file}：新增 {report.created} 项，修改 {report.updated} 项，未变 {report.unchanged} 项"
                   + ("；" + "；".join(report.warnings[:5]) if report.warnings else "")) if report.written else None
    except WebError as exc:
        errors, message = [exc.detail], None
    return page(request, "entry.html", "填报", "填报", datasets=q.data_sets(store),
                f=q.entry_form(store, dataset, q.check_period(period), org), message=message, errors=errors)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, unit: str = "", region: str = "", period: str | None = None,
                who: Scope = Depends(scope)):
    period = default_period(request, period)
    if region:
        who.require_see(region, "region")
    all_alerts = who.visible(request.app.state.snapshots.evaluation(period).alerts, key=lambda a: a.region)
    units = sorted({u for a in all_alerts for u in a.units})
    alerts = filter_alerts(request, period, unit or None, region or None, who)
    return page(request, "alerts.html", f"督办清单（{period}）", "督办", alerts=alerts, units=units, unit=unit, region=region,
                regions=who.visible_orgs(q.orgs(_store(request)), None), names=request.app.state.snapshots.org_names())


@router.get("/alerts.xlsx")
def alerts_export(request: Request, unit: str = "", region: str = "", period: str | None = None,
                  who: Scope = Depends(scope)):
    from hqd.report.tables import write_tables_xlsx

    period = default_period(request, period)
    if region:
        who.require_see(region, "region")
    names = request.app.state.snapshots.org_names()
    alerts = filter_alerts(request, period, unit or None, region or None, who)
    rows = [[a.severity, a.kind, "、".join(a.units), names.get(a.region, a.region), a.subject, a.reason] for a in alerts]
    tmp = tempfile.mkdtemp(prefix="hqd-alerts-")
    path = write_tables_xlsx(f"督办清单（{period}）", {"督办清单": (["等级", "类别", "责任单位", "地区/机构", "事项", "原因"], rows)},
                             Path(tmp) / f"督办清单_{period}.xlsx")
    return FileResponse(path, filename=path.name, background=BackgroundTask(_rmtree, tmp))


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, who: Scope = Depends(scope)):
    return page(request, "reports.html", "报告下载", "报告", regions=who.visible_orgs(q.orgs(_store(request)), None),
                period=default_period(request, None), plans=q.plans(_store(request)))


@router.get("/reports/quarterly")
def quarterly_download(request: Request, org: str, period: str | None = None, format: str = "docx",
                       who: Scope = Depends(scope)):
    from hqd.report.from_store import quarterly_report, write_quarterly

    if format not in ("docx", "pdf", "xlsx"):
        raise WebError(422, f"不支持的格式“{format}”，可选 docx、pdf、xlsx", "format")
    period = default_period(request, period)
    q.org_info(_store(request), org)
    who.require_see(org)
    ev = request.app.state.snapshots.evaluation(period)
    report = quarterly_report(_store(request), period, org, request.app.state.today, ev)
    tmp = tempfile.mkdtemp(prefix="hqd-report-")
    path = write_quarterly(report, Path(tmp) / f"{report.region}_{period}_季度监测报告.{format}", format)
    return FileResponse(path, filename=path.name, background=BackgroundTask(_rmtree, tmp))


@router.get("/reports/ledger")
def ledger_download(request: Request, plan: str, period: str | None = None, who: Scope = Depends(scope)):
    from hqd.report.from_store import write_ledger_with_status

    who.require_region("下载带各地进展的任务台账")
    period = default_period(request, period)
    ev = request.app.state.snapshots.evaluation(period)
    tmp = tempfile.mkdtemp(prefix="hqd-ledger-")
    path = write_ledger_with_status(_store(request), plan, period, request.app.state.today,
                                    Path(tmp) / f"任务台账_{period}.xlsx", ev)
    return FileResponse(path, filename=path.name, background=BackgroundTask(_rmtree, tmp))
