"""`hqd serve`: uvicorn over the app, the evaluation of the latest quarter warmed in the background."""

from __future__ import annotations

import threading


def build_app(url: str | None = None):
    from hqd.store.db import open_store

    from .app import create_app

    return create_app(open_store(url), evaluate_in_worker=True)


def warm(app) -> None:
    from hqd.report.data import latest_period

    def work():
        period = latest_period(app.state.store)
        if period:
            app.state.snapshots.evaluation(period)
            app.state.snapshots.scores("三级", int(period[:4]) - 1)  # the 机构 page's ranking

    threading.Thread(target=work, daemon=True, name="hqd-warm").start()


def run(host: str = "127.0.0.1", port: int = 8000, url: str | None = None, workers: int = 1) -> None:
    import uvicorn

    app = build_app(url)
    warm(app)
    print(f"hqd 网页服务：http://{host}:{port}/ （接口文档 http://{host}:{port}/api/docs，Ctrl+C 停止）", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
