"""The FastAPI application: REST API under /api (OpenAPI at /api/docs), Chinese pages elsewhere.

Errors are JSON `{"detail": 中文说明, "field": 出错的字段}` with a 4xx status for bad input; the store's
errors (unknown codes, locked or conflicting values) map to 400/404/409.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hqd.store.db import Store
from hqd.store.errors import ConflictError, LockedError, StoreError

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

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else {
            404: "页面或资源不存在", 405: "不支持该请求方法"}.get(exc.status_code, "请求有误")
        return JSONResponse({"detail": detail, "field": None}, status_code=exc.status_code)

    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    return app
