"""Real documents built at test time from the seed plans: docx with python-docx, pdf/doc by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

PLANS = Path(__file__).resolve().parents[1] / "examples" / "plans"
SEED = "000_e5f6dd014c1e0675.txt"  # 杭州 plan: simplified, long enough for several PDF pages
TRADITIONAL_SEED = "002_dc2f26d2a65dfbfa.txt"
RUNNING_HEADER = "杭州市人民政府办公厅文件"

TASK_TABLE = [
    ["序号", "重点任务", "具体内容", "牵头单位", "配合单位", "完成时限"],
    ["一、补充任务"],  # one merged cell: a section heading
    ["1", "推进检查检验结果互认", "二级以上医院实现检查检验结果互认。", "市卫生健康委员会", "市医保局\n市财政局", "2024年12月底前"],
    ["2", "完善绩效考核", "三级公立医院绩效考核成绩达到A级以上。", "市卫生健康委员会、市人力社保局", "", "2025年底前"],
]
TASK_LINES = [
    "一、补充任务",
    "1.推进检查检验结果互认。二级以上医院实现检查检验结果互认。（牵头单位：市卫生健康委员会；配合单位：市医保局、市财政局；完成时限：2024年12月底前）",
    "2.完善绩效考核。三级公立医院绩效考核成绩达到A级以上。（牵头单位：市卫生健康委员会、市人力社保局；完成时限：2025年底前）",
]


def seed_text(name: str = SEED) -> str:
    return (PLANS / name).read_text(encoding="utf-8")


def seed_lines(name: str = SEED) -> list[str]:
    return [line.strip() for line in seed_text(name).splitlines() if line.strip()]


def build_docx(path: Path, lines: list[str], table: list[list[str]] | None = None, *, justify: bool = False,
               indent: bool = True, size: int = 14) -> Path:
    """A plan as Word writes one: centred title, indented body paragraphs, a running header,
    '- N -' page numbers, and the task table as an attachment at the end."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Noto Serif CJK SC"
    normal.font.size = Pt(size)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    footer = section.footer.paragraphs[0]
    footer.add_run("- ")
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" -")
    for index, line in enumerate(lines):
        paragraph = document.add_paragraph(line)
        if index == 0:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif justify:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if index > 0 and indent and len(line) > 30:
            paragraph.paragraph_format.first_line_indent = Pt(2 * size)
    if table:
        document.add_paragraph("附件")
        document.add_paragraph("重点任务分解表").alignment = WD_ALIGN_PARAGRAPH.CENTER
        _add_table(document, table)
    document.save(path)
    return path


def _add_table(document, rows: list[list[str]]) -> None:
    """A bordered table; a one-item row is one cell merged across the table."""
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        if len(row) == 1:
            merged = table.cell(r, 0).merge(table.cell(r, width - 1))
            merged.text = row[0]
            continue
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            first, *rest = value.split("\n")
            cell.text = first
            for extra in rest:
                cell.add_paragraph(extra)


def soffice_convert(source: Path, target_format: str, outdir: Path) -> Path:
    """Convert with LibreOffice in a private profile (as a user would with 另存为)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice 未安装")
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, f"-env:UserInstallation={(outdir / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    result = outdir / f"{source.stem}.{target_format.split(':')[0]}"
    assert result.exists(), f"LibreOffice did not write {result}"
    return result


def raw_pdf(path: Path, content: bytes) -> Path:
    """A hand-made PDF with two fonts: F1 a CID font without a ToUnicode map (what many exported
    仿宋_GB2312 subsets look like to a text extractor), F2 Helvetica."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /FZFSK /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /FZFSK /DW 1000"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def plan_docx(tmp_path_factory) -> Path:
    return build_docx(tmp_path_factory.mktemp("docx") / "plan.docx", seed_lines(), TASK_TABLE)


@pytest.fixture(scope="session")
def plan_pdf(plan_docx, tmp_path_factory) -> Path:
    return soffice_convert(plan_docx, "pdf", tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="session")
def plan_doc(plan_docx, tmp_path_factory) -> Path:
    return soffice_convert(plan_docx, "doc", tmp_path_factory.mktemp("doc"))
