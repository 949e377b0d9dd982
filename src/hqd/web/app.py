"""The FastAPI application: REST API under /api (OpenAPI at /api/docs), Chinese pages elsewhere.

Errors are JSON `{"detail": 中文说明, "field": 出错的字段}` with a 4xx status for bad input; the store's
errors (unknown codes, locked or conflicting values) map to 400/404/409.
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


class WebError(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None):
        self.status, self.detail, self.field = status, detail, field


def create_app(store: Store, today: date | None = None) -> FastAPI:
    from hqd.config import load_settings

    if today is None:
        configured = load_settings().today
        today = date.fromisoformat(configured) if configured else date.today()
    app = FastAPI(title="hqd 公立医院高质量发展监测", docs_url="/api/docs", openapi_url="/api/openapi.json",
                  redoc_url=None)
    app.state.store = store
    app.state.today = today
    app.state.snapshots = Snapshots(store, today)
    static = Path(str(files("hqd.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path", "form")]
        field = ".".join(loc) or None
        words = _TYPE_WORDS.get(first.get("type", ""), "无效")
        return JSONResponse({"detail": f"参数“{field or '请求'}”{words}", "field": field}, status_code=422)

    @app.exception_handler(WebError)
    async def _web(request: Request, exc: WebError):
        return JSONResponse({"detail": exc.detail, "field": exc.field}, status_code=exc.status)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError):
        status = 409 if isinstance(exc, ConflictError | LockedError) else (404 if "不存在" in str(exc) else 400)
        return JSONResponse({"detail": "；".join(exc.problems) if hasattr(exc, "problems") else str(exc),
                             "field": None}, status_code=status)

    @app.exception_handler(SignInRequired)
    async def _signin(request: Request, exc: SignInRequired):
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": "请先登录（网页会话或 Authorization: Bearer 令牌）", "field": None},
                                status_code=401, headers={"www-authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return JSONResponse({"detail": exc.detail, "field": exc.field}, status_code=403)

    @app.exception_handler(AccessError)
    async def _access(request: Request, exc: AccessError):
        return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=exc.status)

    @app.exception_handler(DBAPIError)
    async def _database_down(request: Request, exc: DBAPIError):
        # the database went away (PostgreSQL stopped or restarting): a clear 503; the pool's pre-ping
        # reconnects by itself once it is back, so the next request after that succeeds.
        if not exc.connection_invalidated and not isinstance(exc, OperationalError):
            raise exc
        return JSONResponse({"detail": "数据库暂时无法连接，请稍后重试", "field": None}, status_code=503,
                            headers={"retry-after": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else {
            404: "页面或资源不存在", 405: "不支持该请求方法"}.get(exc.status_code, "请求有误")
        return JSONResponse({"detail": detail, "field": None}, status_code=exc.status_code)

    from . import api, auth, pages

    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    return app
