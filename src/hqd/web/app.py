"""The FastAPI application: REST API under /api (OpenAPI at /api/docs), Chinese pages elsewhere.

Errors are JSON `{"detail": 中文说明, "field": 出错的字段}` with a 4xx status for bad input; the store's
errors (unknown codes, locked or conflicting values) map to 400/404/409. A browser asking for a page
(not /api, not asking for JSON) gets the same status as a Chinese page instead (`error_response`).
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hqd.access import AccessError
from hqd.store.db import Store
from hqd.store.errors import ConflictError, LockedError, StoreError

from .context import Forbidden, SignInRequired
from .snapshot import Snapshots

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_TYPE_WORDS = {"int_parsing": "应为整数", "float_parsing": "应为数字", "missing": "缺少此项", "bool_parsing": "应为是或否",
               "string_too_long": "过长", "json_invalid": "不是有效的 JSON", "model_attributes_type": "格式不正确",
               "dict_type": "应为对象", "list_type": "应为列表", "string_type": "应为文字"}


DB_DOWN = "数据库暂时无法连接，请稍后重试"


def wants_html(request: Request) -> bool:
    """Pages answer errors with a page; /api, and clients that ask for JSON, get JSON."""
    if request.url.path.startswith("/api"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/json" not in accept


def error_response(request: Request, status: int, detail: str, field: str | None = None,
                   headers: dict[str, str] | None = None):
    if wants_html(request):
        from .pages import error_page

        return error_page(request, status, detail, headers)
    return JSONResponse({"detail": detail, "field": field}, status_code=status, headers=headers)


class WebError(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None):
        self.status, self.detail, self.field = status, detail, field


def create_app(store: Store, today: date | None = None, *, evaluate_in_worker: bool = False) -> FastAPI:
    """`evaluate_in_worker`: evaluations in a worker process (the server; it ends with the server), not a
    thread (tests)."""
    from hqd.config import load_settings

    settings = load_settings()
    if today is None:
        today = date.fromisoformat(settings.today) if settings.today else date.today()
    app = FastAPI(title="hqd 公立医院高质量发展监测", docs_url="/api/docs", openapi_url="/api/openapi.json",
                  redoc_url=None)
    app.state.store = store
    app.state.today = today
    app.state.snapshots = Snapshots(store, today, worker_process=evaluate_in_worker,
                                    min_interval=settings.refresh_seconds)
    static = Path(str(files("hqd.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path", "form")]
        field = ".".join(loc) or None
        words = _TYPE_WORDS.get(first.get("type", ""), "无效")
        return error_response(request, 422, f"参数“{field or '请求'}”{words}", field)

    @app.exception_handler(WebError)
    async def _web(request: Request, exc: WebError):
        return error_response(request, exc.status, exc.detail, exc.field)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError):
        status = 409 if isinstance(exc, ConflictError | LockedError) else (404 if "不存在" in str(exc) else 400)
        return error_response(request, status, "；".join(exc.problems) if hasattr(exc, "problems") else str(exc))

    @app.exception_handler(SignInRequired)
    async def _signin(request: Request, exc: SignInRequired):
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": "请先登录（网页会话或 Authorization: Bearer 令牌）", "field": None},
                                status_code=401, headers={"www-authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return error_response(request, 403, exc.detail, exc.field)

    @app.exception_handler(AccessError)
    async def _access(request: Request, exc: AccessError):
        return error_response(request, exc.status, exc.message, exc.field)

    @app.exception_handler(DBAPIError)
    async def _database_down(request: Request, exc: DBAPIError):
        # the database went away (PostgreSQL stopped or restarting): a clear 503; the pool's pre-ping
        # reconnects by itself once it is back, so the next request after that succeeds.
        if not exc.connection_invalidated and not isinstance(exc, OperationalError):
            raise exc
        return error_response(request, 503, DB_DOWN, headers={"retry-after": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else {
            404: "页面或资源不存在", 405: "不支持该请求方法"}.get(exc.status_code, "请求有误")
        return error_response(request, exc.status_code, detail)

    from . import api, auth, pages

    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    return app
