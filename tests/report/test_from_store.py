"""Reports built from the store (the compact demo database), opened and read back: docx text,
xlsx cells, PDF text through poppler; and the `hqd report` commands end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest
from docx import Document

from demo_db import PERIOD, TODAY, demo_eval, demo_store, demo_url  # noqa: F401  (fixtures)
from hqd.report.from_store import quarterly_report, write_ledger_with_status, write_quarterly

STATUSES = {"已达成", "进展顺利", "需加快", "进展缓慢", "倒退", "无数据"}


def test_quarterly_report_of_a_district(demo_store, demo_eval, tmp_path):  # noqa: F811
    report = quarterly_report(demo_store, PERIOD, "NBFH", TODAY, demo_eval)
    assert report.title == "奉化区公立医院高质量发展2025年第二季度监测报告"
    assert report.issuer == "奉化区卫生健康局"
    # the Fenghua plan's targets, on 奉化区
    names = {t.indicator for t in report.targets}
    assert "基层就诊率" in names and "每千常住人口床位数" in names
    assert {t.status for t in report.targets} <= STATUSES
    assert len({t.status for t in report.targets}) >= 2  # some met, some lagging
    assert report.series and all(len(s.values) == 14 and s.target is not None for s in report.series)
    assert report.tasks and all(t.status for t in report.tasks)
    assert report.submissions and report.submissions[0].expected > 0
    docx = write_quarterly(report, tmp_path / "r.docx", "docx")
    text = "\n".join(p.text for p in Document(docx).paragraphs)
    assert report.title in text and "一、总体情况" in text and "目标进展" in text
    cells = {c.text for t in Document(docx).tables for row in t.rows for c in row.cells}
    assert "基层就诊率" in cells and "牵头单位" in cells
    assert len(Document(docx).inline_shapes) == len(report.series)  # the trend charts
    xlsx = write_quarterly(report, tmp_path / "r.xlsx", "xlsx")
    wb = openpyxl.load_workbook(xlsx)
    values = [c for row in wb["目标进展"].iter_rows(values_only=True) for c in row]
    assert "基层就诊率" in values and "进展" in values


def test_quarterly_report_pdf(demo_store, demo_eval, tmp_path):  # noqa: F811
    report = quarterly_report(demo_store, PERIOD, "HZ", TODAY, demo_eval)
    pdf = write_quarterly(report, tmp_path / "r.pdf", "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "杭州市公立医院高质量发展2025年第二季度监测报告" in flat
    assert "目标进展" in flat and "数据报送情况" in flat


def test_ledger_with_status(demo_store, demo_eval, tmp_path):  # noqa: F811
    path = write_ledger_with_status(demo_store, "杭政办函〔2022〕47号", PERIOD, TODAY, tmp_path / "l.xlsx", demo_eval)
    wb = openpyxl.load_workbook(path)
    tasks = list(wb["任务台账"].iter_rows(values_only=True))
    head = next(r for r in tasks if r and r[0] == "序号")
    assert head[-3:] == ("任务状态", "状态说明", "进展情况（2025Q2）")
    status_col = head.index("任务状态")
    statuses = {r[status_col] for r in tasks[tasks.index(head) + 1:]}
    assert statuses & {"已完成", "推进中", "滞后", "逾期", "未开始"}
    targets = list(wb["目标指标"].iter_rows(values_only=True))
    thead = next(r for r in targets if r and r[0] == "序号")
    rows = targets[targets.index(thead) + 1:]
    basic = next(r for r in rows if r[thead.index("目标指标")] == "基层就诊率")
    assert basic[thead.index("评价机构")] == "杭州市"
    assert basic[thead.index("进展")] in STATUSES and "2025Q2" in basic[thead.index("最新值")]


def _hqd(url, *args):
    return subprocess.run([sys.executable, "-m", "hqd.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "HQD_DATABASE_URL": url})


@pytest.mark.parametrize("args, message", [
    (["report", "quarterly", "--period", "2025Q2", "--org", "NOPE", "--format", "docx"], "机构代码“NOPE”不存在"),
    (["report", "quarterly", "--period", "2025-13", "--org", "HZ"], "期间"),
    (["report", "quarterly", "--period", "2025Q2", "--org", "HZ", "--format", "odt"], "不支持的格式"),
    (["report", "ledger", "没有这个文号"], "未找到方案"),
])
def test_report_commands_refuse_bad_input(demo_url, args, message):  # noqa: F811
    done = _hqd(demo_url, *args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_report_ledger_command(demo_url, tmp_path):  # noqa: F811
    out = tmp_path / "台账.xlsx"
    done = _hqd(demo_url, "report", "ledger", "奉政办发〔2023〕10号", "--out", str(out), "--today", "2025-07-20")
    assert done.returncode == 0, done.stderr
    assert "任务状态" in [c for row in openpyxl.load_workbook(out)["任务台账"].iter_rows(values_only=True) for c in row]
