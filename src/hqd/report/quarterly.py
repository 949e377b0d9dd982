"""The quarterly monitoring report a city sends upward, in Chinese official-report layout:
docx (python-docx), pdf (the same docx rendered by LibreOffice) and xlsx (its tables).

Layout after GB/T 9704: A4, margins 37/35/28/26 mm, title in 方正小标宋简体 二号, body in
仿宋_GB2312 三号 with a fixed 28-point line, first-level headings in 黑体, page numbers "— 1 —".
"""

from __future__ import annotations

import io
import os
import tempfile
from importlib.resources import files
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from hqd.config import load_settings
from hqd.office import convert

from .charts import trend_png
from .model import QuarterlyReport
from .summary import summarize
from .tables import status_fill, write_tables_xlsx

BODY, HEADING, TITLE, KAI = "仿宋_GB2312", "黑体", "方正小标宋简体", "楷体_GB2312"
_CN_NUM = "一二三四五六七八九十"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for key in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(key), name)


def _paragraph(doc, text: str, *, font=BODY, size=16.0, bold=False, align=None, indent=True, space_after=0):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold)
    return p


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    _font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    _font(p.add_run(" —"), "宋体", 14)


def _table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float], status_col: int | None = None,
           size: float = 10.5):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # LibreOffice lays columns out from the grid, Word from the cells: set both
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for cell, text, width in zip(table.rows[0].cells, header, widths_mm, strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), HEADING, size)
        _shade(cell, "DDEBF7")
    for values in rows:
        cells = table.add_row().cells
        for k, (cell, text, width) in enumerate(zip(cells, values, widths_mm, strict=True)):
            cell.width = Mm(width)
            _font(cell.paragraphs[0].add_run(str(text)), BODY, size)
            if k == status_col and status_fill(str(text)):
                _shade(cell, status_fill(str(text)))
    return table


def _shade(cell, hex_color: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), hex_color)
    cell._element.get_or_add_tcPr().append(shading)


def build_docx(report: QuarterlyReport) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height, section.orientation = Mm(210), Mm(297), WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)

    _paragraph(doc, report.title, font=TITLE, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=6)
    _paragraph(doc, f"{report.issuer}　{_date_cn(report.date)}", font=KAI, size=16,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=12)

    sections = [("总体情况", lambda: [_paragraph(doc, s) for s in (report.summary or summarize(report))])]
    if report.targets:
        sections.append(("目标进展", lambda: _table(
            doc, ["序号", "指标", "目标", "完成时限", "基线", "最新值", "当前应达", "到期预计", "进展", "牵头单位"],
            [[str(i + 1), t.indicator, t.target, t.deadline or "—", t.baseline, t.latest, t.expected_now,
              t.projected, t.status, t.units] for i, t in enumerate(report.targets)],
            [8, 26, 13, 18, 19, 19, 13, 13, 13, 14], status_col=8, size=9)))
    if report.series:
        sections.append(("重点指标走势", lambda: [doc.add_picture(io.BytesIO(trend_png(s)), width=Mm(150))
                                                   for s in report.series]))
    if report.lagging:
        sections.append(("滞后单位和督办事项", lambda: _table(
            doc, ["责任单位", "地区/机构", "类别", "事项", "原因"],
            [[r.unit, r.region, r.kind, r.subject, r.reason] for r in report.lagging], [28, 24, 18, 34, 52])))
    if report.tasks:
        sections.append(("重点任务推进情况", lambda: _table(
            doc, ["序号", "任务", "牵头单位", "完成时限", "状态", "进展情况"],
            [[t.number, t.title, t.lead, t.deadline, t.status, t.narrative] for t in report.tasks],
            [16, 38, 26, 22, 14, 40], status_col=4)))
    if report.submissions:
        sections.append(("数据报送情况", lambda: _table(
            doc, ["层级", "应报", "实报", "按时", "完整率", "及时率"],
            [[r.level, str(r.expected), str(r.submitted), str(r.on_time), _rate(r.submitted, r.expected),
              _rate(r.on_time, r.expected)] for r in report.submissions], [36, 24, 24, 24, 24, 24])))
    for k, (heading, draw) in enumerate(sections):
        p = _paragraph(doc, f"{_CN_NUM[k]}、{heading}", font=HEADING, size=16, indent=True)
        p.paragraph_format.space_before = Pt(6 if k else 0)
        p.paragraph_format.keep_with_next = True
        draw()
    return doc


def write_docx(report: QuarterlyReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    build_docx(report).save(partial)
    os.replace(partial, path)
    return path


def write_pdf(report: QuarterlyReport, path: Path) -> Path:
    """The docx rendered by LibreOffice, with the official font names mapped to Noto CJK."""
    fonts_conf = str(files("hqd.report").joinpath("assets/fonts.conf"))
    with tempfile.TemporaryDirectory(prefix="hqd-report-") as tmp:
        docx = write_docx(report, Path(tmp) / "report.docx")
        return convert(docx, "pdf", path, load_settings(), env={"FONTCONFIG_FILE": fonts_conf})


def write_xlsx(report: QuarterlyReport, path: Path) -> Path:
    sheets = {
        "目标进展": (["指标", "目标", "完成时限", "基线", "最新值", "当前应达", "到期预计", "进展", "牵头单位"],
                 [[t.indicator, t.target, t.deadline, t.baseline, t.latest, t.expected_now, t.projected, t.status,
                   t.units] for t in report.targets]),
        "督办事项": (["责任单位", "地区/机构", "类别", "事项", "原因"],
                 [[r.unit, r.region, r.kind, r.subject, r.reason] for r in report.lagging]),
        "任务进展": (["序号", "任务", "牵头单位", "完成时限", "状态", "进展情况"],
                 [[t.number, t.title, t.lead, t.deadline, t.status, t.narrative] for t in report.tasks]),
        "数据报送": (["层级", "应报", "实报", "按时"],
                 [[r.level, r.expected, r.submitted, r.on_time] for r in report.submissions]),
    }
    return write_tables_xlsx(report.title, sheets, path)


def _rate(n: int, d: int) -> str:
    return f"{n / d:.1%}" if d else "—"


def _date_cn(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"
