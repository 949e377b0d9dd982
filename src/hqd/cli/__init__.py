"""The `hqd` command: thin wrappers that parse input, call a service and render."""

from __future__ import annotations

import typer

from . import alerts, catalog, collect, db, demo, evaluate, ingest, ledger, records, report, score, user

app = typer.Typer(
    name="hqd",
    help="hqd：公立医院高质量发展 政策台账、指标监测与评价工具",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """hqd：公立医院高质量发展 政策台账、指标监测与评价工具"""


app.add_typer(catalog.app, name="catalog")
app.command("ingest", help="读取政策文件，抽取任务台账（任务、责任单位、时限、目标指标）")(ingest.ingest)
app.add_typer(records.app, name="records", help="病案首页出院记录：合成数据、校验、指标数据项计算与明细追溯")
app.add_typer(db.app, name="db")
app.add_typer(ledger.app, name="ledger")
app.add_typer(collect.app, name="collect")
app.add_typer(report.app, name="report")
app.add_typer(user.app, name="user")
app.command("evaluate", help="评价量化目标进展（已达成、进展顺利、需加快、进展缓慢、倒退、无数据）")(evaluate.evaluate)
app.command("alerts", help="督办清单：目标滞后、任务逾期、未报送和迟报、数据异常，按责任单位归集")(alerts.alerts)
app.command("serve", help="启动网页服务和 REST 接口（/api）")(demo.serve)
app.command("demo", help="生成演示数据库（示例方案、机构树、季度数据）并打开网页")(demo.demo)
app.command("score", help="国考式综合评分：同类机构内得分、等级、名次和名次变化")(score.score)


def main() -> None:
    app()
