"""Sign-in, sign-out and the audit log (view and CSV/xlsx export for administrators)."""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from hqd.access import AccessError, Throttle, authenticate, sign_in, sign_out
from hqd.config import load_settings
from hqd.report.tables import literal
from hqd.store.models import AuditLog

from .context import SESSION_COOKIE, Scope, scope

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "hqd_login_csrf"  # double-submit token for the sign-in form (no session exists yet)
AUDIT_HEADER = ["时间（UTC）", "操作人", "操作", "对象", "键", "原值", "新值", "来源", "说明"]


def _page(request: Request, name: str, title: str, **context):
    from .pages import page

    return page(request, name, title, "", **context)


def _safe_next(target: str | None) -> str:
    # only same-site paths: "//evil.example" or "https://…" would be an open redirect
    return target if target and target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", error: str | None = None):
    token = secrets.token_urlsafe(24)
    settings = load_settings()
    resp = _page(request, "login.html", "登录", next=_safe_next(next), error=error, login_csrf=token,
                 max_failures=settings.login_max_failures, wait_minutes=f"{settings.login_failure_minutes:g}")
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies)
    return resp


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    next_ = _safe_next(str(form.get("next") or "/"))
    sent, expected = str(form.get("csrf_token") or ""), request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(sent, expected):
        return _login_error(request, next_, "登录页面已过期，请重新登录", 403)
    store = request.app.state.store
    ip = request.client.host if request.client else "?"
    settings = load_settings()
    throttle = Throttle.from_settings()

    def check():  # argon2 takes tens of milliseconds on purpose: off the event loop
        with store.session() as s:  # committed on failure too: the failure row and its audit are the point
            try:
                who = authenticate(s, username, password, ip, throttle)
            except AccessError as exc:
                return exc, None
            return None, sign_in(s, who.username, settings.session_hours)[0]

    error, token = await run_in_threadpool(check)
    if error is not None:
        return _login_error(request, next_, error.message, error.status)
    resp = RedirectResponse(next_, status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                    max_age=int(settings.session_hours * 3600))
    resp.delete_cookie(LOGIN_CSRF_COOKIE)
    return resp


def _login_error(request: Request, next_: str, message: str, status: int):
    resp = login_form(request, next_, message)
    resp.status_code = status
    return resp


@router.post("/logout")
def logout(request: Request, who: Scope = Depends(scope)):
    from hqd.store.values import audit

    with request.app.state.store.session() as s:
        sign_out(s, request.cookies.get(SESSION_COOKIE, ""))
        audit(s, actor=who.user, action="logout", entity="user", key=who.user)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


def _audit_rows(request: Request, actor: str, action: str, limit: int) -> list[list]:
    q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if actor:
        q = q.where(AuditLog.actor == actor)
    if action:
        q = q.where(AuditLog.action == action)
    with request.app.state.store.session() as s:
        return [[a.at.strftime("%Y-%m-%d %H:%M:%S"), a.actor, a.action, a.entity, a.key, a.old_value, a.new_value,
                 a.source, a.detail] for a in s.scalars(q)]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, actor: str = "", action: str = "", who: Scope = Depends(scope)):
    who.require_admin("查看审计日志")
    rows = _audit_rows(request, actor, action, 500)
    return _page(request, "audit.html", "审计日志", rows=rows, header=AUDIT_HEADER, actor=actor, action=action,
                 query=f"actor={quote(actor)}&action={quote(action)}")


@router.get("/audit.csv")
def audit_csv(request: Request, actor: str = "", action: str = "", who: Scope = Depends(scope)):
    who.require_admin("导出审计日志")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(AUDIT_HEADER)
    for row in _audit_rows(request, actor, action, 100_000):
        writer.writerow([literal(x) if x is not None else "" for x in row])
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": "attachment; filename*=UTF-8''" + quote("审计日志.csv")})


@router.get("/audit.xlsx")
def audit_xlsx(request: Request, actor: str = "", action: str = "", who: Scope = Depends(scope)):
    from hqd.report.tables import write_tables_xlsx

    from .pages import _rmtree

    who.require_admin("导出审计日志")
    tmp = tempfile.mkdtemp(prefix="hqd-audit-")
    path = write_tables_xlsx("审计日志", {"审计日志": (AUDIT_HEADER, _audit_rows(request, actor, action, 100_000))},
                             Path(tmp) / "审计日志.xlsx")
    return FileResponse(path, filename=path.name, background=BackgroundTask(_rmtree, tmp))
