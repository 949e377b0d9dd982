"""`hqd db upgrade | backup FILE | restore FILE | info`."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import get_store, out, run, store_errors

app = typer.Typer(help="数据库：初始化/升级、备份与恢复", no_args_is_help=True, add_completion=False)


@app.command("upgrade", help="创建或升级数据库结构（默认 SQLite 文件，设置 HQD_DATABASE_URL 时使用 PostgreSQL）")
def upgrade_cmd() -> None:
    from hqd.store.db import current_revision, head_revision, make_engine, upgrade

    with store_errors():
        engine = make_engine()
        before = current_revision(engine)
        upgrade(engine)
        out(f"数据库结构已是最新版本 {head_revision()}（原版本：{before or '空数据库'}）："
            f"{engine.url.render_as_string(hide_password=True)}")


@app.command("backup", help="把整个数据库备份为一个 JSON Lines 文件（.gz 结尾时压缩），可恢复到任一种数据库")
def backup_cmd(file: Path = typer.Argument(..., help="备份文件路径")) -> None:
    from hqd.store.backup import backup

    store = get_store()
    counts = run(lambda: backup(store, file))
    out(f"已备份 {sum(counts.values())} 行（{len([c for c in counts.values() if c])} 张表）到 {file}")


@app.command("restore", help="把备份文件恢复到一个空数据库（全部成功或全部不写入）")
def restore_cmd(file: Path = typer.Argument(..., help="hqd db backup 生成的备份文件")) -> None:
    from hqd.store.backup import restore

    store = get_store()
    counts = run(lambda: restore(store, file))
    out(f"已恢复 {sum(counts.values())} 行（{len(counts)} 张表）")


@app.command("info", help="显示数据库地址、结构版本和各表行数")
def info_cmd() -> None:
    from sqlalchemy import func, select

    from hqd.store.db import current_revision
    from hqd.store.models import Base

    store = get_store(migrate=False)
    out(f"数据库：{store.engine.url.render_as_string(hide_password=True)}")
    out(f"结构版本：{current_revision(store.engine)}")
    with store.engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            out(f"  {t.name:20s} {conn.scalar(select(func.count()).select_from(t))}")
