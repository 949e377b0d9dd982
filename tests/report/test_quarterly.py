"""The quarterly report renders to docx, pdf and xlsx with its content, in official layout."""

from __future__ import annotations

import subprocess

import openpyxl
import pdfplumber
import pytest
from docx import Document

from hqd.report.model import LaggingRow, QuarterlyReport, Series, SubmissionRow, TargetRow, TaskRow
from hqd.report.quarterly import write_docx, write_pdf, write_xlsx
from hqd.report.summary import summarize


def _report() -> QuarterlyReport:
    return QuarterlyReport(
        region="杭州市", period="2025Q2", issuer="杭州市卫生健康委员会", date="2025-07-10",
        targets=[
            TargetRow("基层就诊率", "≥65%", "2025-12-31", "50.0（2022Q4）", "60.0（2025Q2）", "59.6", "65.7",
                      "进展顺利", "市卫生健康委员会"),
            TargetRow("县域就诊率", "≥90%", "2025-12-31", "85.0（2022Q4）", "84.0（2025Q2）", "88.3", "83.6",
                      "倒退", "市卫生健康委员会"),
            TargetRow("=HYPERLINK(\"http://x\",\"y\")", "≥1个", None, "—", "—", "—", "—", "无数据", "市发改委"),
        ],
        series=[Series("基层就诊率（%）", "%", ["2024Q3", "2024Q4", "2025Q1", "2025Q2"], [57, 58, 59.5, 60],
                       target=65, path=[("2024Q3", 57.5), ("2025Q2", 60.2)])],
        lagging=[LaggingRow("淳安县卫生健康局", "淳安县", "目标滞后", "县域就诊率≥90%", "倒退：最新 84，目标 90")],
        tasks=[TaskRow("二(一)3", "高水平打造县级强院", "市卫生健康委员会", "2025-12-31", "推进中", "两家县级医院通过三级评审")],
        submissions=[SubmissionRow("医院", 120, 116, 110), SubmissionRow("区、县（市）", 13, 13, 12)],
    )


def test_summary_counts_what_the_report_holds():
    text = "".join(summarize(_report()))
    assert "共监测量化目标3项" in text and "进展顺利1项" in text and "倒退1项" in text
    assert "应报133份，实报129份，报送完整率97.0%，及时率91.7%" in text


def test_docx_has_the_official_layout_and_every_section(tmp_path):
    path = write_docx(_report(), tmp_path / "report.docx")
    doc = Document(str(path))
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "杭州市公立医院高质量发展2025年第二季度监测报告"
    assert {"一、总体情况", "二、目标进展", "三、重点指标走势", "四、滞后单位和督办事项", "五、重点任务推进情况",
            "六、数据报送情况"} <= set(paragraphs)
    title_run = doc.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22
    assert title_run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "县域就诊率" in cells and "淳安县卫生健康局" in cells and "高水平打造县级强院" in cells
    assert len(doc.inline_shapes) == 1  # the trend chart


def test_pdf_renders_chinese_text_with_embedded_cjk_fonts(tmp_path):
    path = write_pdf(_report(), tmp_path / "report.pdf")
    with pdfplumber.open(path) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "监测报告" in text.replace(" ", "") and "县域就诊率" in text.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts


def test_xlsx_tables_and_no_formula_from_text(tmp_path):
    path = write_xlsx(_report(), tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目标进展", "督办事项", "任务进展", "数据报送"]
    ws = wb["目标进展"]
    assert [c.value for c in ws[2]][:3] == ["指标", "目标", "完成时限"]
    assert ws.cell(5, 1).data_type != "f" and ws.cell(5, 1).value.startswith("'=")
    assert ws.freeze_panes == "A3"


@pytest.mark.parametrize("period, label", [("2025Q2", "2025年第二季度"), ("2025", "2025年")])
def test_period_labels(period, label):
    r = _report()
    r.period = period
    assert r.period_label == label
