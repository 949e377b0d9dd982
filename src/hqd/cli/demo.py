"""`hqd demo`: build the demonstration database and serve it (the README's main job)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import fail

DEFAULT_DB = "hqd-data/demo.db"


def demo(
    db: Annotated[str | None, typer.Option("--db", help="数据库地址；默认 hqd-data/demo.db（SQLite），或 HQD_DATABASE_URL")] = None,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：相同种子生成相同数据")] = 2025,
    orgs: Annotated[int, typer.Option("--orgs", help="把机构数扩充到约 N 个（性能测试用，如 5000）")] = 0,
    replace: Annotated[bool, typer.Option("--replace", help="清空已有数据后重建（SQLite 演示库总是重建）")] = False,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="建好后启动网页服务")] = True,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    plans: Annotated[Path | None, typer.Option("--plans", help="示例方案目录（默认 examples/plans）")] = None,
) -> None:
    """生成演示数据库（五份示例方案、机构树、2022Q1—2025Q2 季度数据），并在 http://127.0.0.1:8000 打开网页。"""
    import os

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from hqd.config import load_settings
    from hqd.demo import TODAY, build_demo, reset
    from hqd.demo.build import is_empty
    from hqd.store.db import open_store
    from hqd.store.errors import StoreError

    url = db or load_settings().database_url
    if url is None:
        path = Path(DEFAULT_DB)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    try:
        store = open_store(url)
        if replace and not is_empty(store):
            reset(store)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), transient=False) as bar:
            job = bar.add_task("生成演示数据", total=16)
            done = [0]

            def step(label: str, weight: int) -> None:
                bar.update(job, completed=done[0], description=f"生成演示数据：{label}")
                done[0] += weight

            result = build_demo(store, seed=seed, orgs=orgs, plans_dir=plans, step=step)
            bar.update(job, completed=16, description="生成演示数据：完成")
    except StoreError as exc:
        fail(exc.problems)
    typer.echo(f"演示数据库已生成（{result.seconds:.1f} 秒）：{result.orgs} 个机构，{result.plans} 份方案，"
               f"{result.tasks} 项任务，{result.targets} 个量化目标，{result.values} 个数据值，"
               f"{result.submissions} 份报送记录。数据库：{store.engine.url.render_as_string(hide_password=True)}")
    typer.echo("演示账号（仅供演示，密码相同）：")
    for username, role, org, password in result.users:
        typer.echo(f"  {username:<14} {role:<6} {org:<8} 密码 {password}")
    if not serve:
        return
    os.environ["HQD_DATABASE_URL"] = url
    os.environ.setdefault("HQD_TODAY", TODAY.isoformat())
    from hqd.web.server import run

    run(host=host, port=port, url=url)


def serve(
    db: Annotated[str | None, typer.Option("--db", help="数据库地址；默认 HQD_DATABASE_URL 或 hqd-data/hqd.db")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """启动网页服务（总览、政策台账、指标、机构、填报、督办、报告）和 /api 接口。"""
    from hqd.store.errors import StoreError
    from hqd.web.server import run

    try:
        run(host=host, port=port, url=db)
    except StoreError as exc:
        fail(exc.problems)
