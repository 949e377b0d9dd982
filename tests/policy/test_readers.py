"""The document readers on real files made at test time (no mocks)."""

from __future__ import annotations

import codecs
import re
import shutil
import tempfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from documents import RUNNING_HEADER, TASK_LINES, TRADITIONAL_SEED, raw_pdf, seed_lines, seed_text
from hqd.policy import PolicyInputError
from hqd.policy.readers import DocumentText, iter_documents, read_document

PLANS = sorted((Path(__file__).resolve().parents[2] / "examples" / "plans").glob("*.txt"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reason(path: Path) -> str:
    with pytest.raises(PolicyInputError) as caught:
        read_document(path)
    assert caught.value.path == str(path)
    assert "\n" not in caught.value.reason
    return caught.value.reason


# --- .txt ---------------------------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: t.encode("utf-8-sig"),
    "gb18030": lambda t: t.encode("gb18030"),
    "gbk": lambda t: t.encode("gbk"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name[:3])
def test_txt_encodings_decode_to_the_original(tmp_path, plan, encoding):
    original = plan.read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(ENCODINGS[encoding](original))
    document = read_document(path)
    assert document.format == "txt"
    assert document.text == original


def test_big5_traditional_seed(tmp_path):
    original = seed_text(TRADITIONAL_SEED)
    path = tmp_path / "楚雄.txt"
    path.write_bytes(original.encode("cp950"))
    assert read_document(path).text == original


def test_traditional_seed_is_read_unchanged():
    path = PLANS[0].parent / TRADITIONAL_SEED
    assert read_document(path).text == path.read_text(encoding="utf-8")  # no 繁→简 conversion here


def test_crlf_becomes_lf_and_nothing_else_changes(tmp_path):
    original = seed_text()
    path = tmp_path / "plan.txt"
    path.write_bytes(original.replace("\n", "\r\n").encode("gbk"))
    assert read_document(path).text == original


def test_short_gbk_text_is_not_taken_for_utf8(tmp_path):
    # 医院 in GBK (D2BD D4BA) is also valid two-byte UTF-8 (ҽԺ)
    path = tmp_path / "short.txt"
    path.write_bytes("医院\n".encode("gbk"))
    assert read_document(path).text == "医院\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_text_or_a_policy_input_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.txt"
        path.write_bytes(data)
        try:
            assert isinstance(read_document(path).text, str)
        except PolicyInputError as error:
            assert error.reason


# --- .docx / .doc / .wps ------------------------------------------------------------------


def test_docx_paragraphs_and_task_table(plan_docx):
    document = read_document(plan_docx)
    lines = document.text.splitlines()
    assert document.format == "docx"
    for line in seed_lines():
        assert line in lines
    for line in TASK_LINES:
        assert line in lines
    assert lines.index(TASK_LINES[0]) > lines.index(seed_lines()[-1])  # document order


def test_docx_table_variants(tmp_path):
    document = docx.Document()
    document.add_paragraph("附件：任务分工")
    tasks = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["工作任务", "责任单位", "完成时间"], ["建立任务台账", "", "2023年6月底前"],
                             ["按季度监测指标。", "", "每季度"]]):
        for c, value in enumerate(row):
            tasks.cell(r, c).text = value
    tasks.cell(1, 1).merge(tasks.cell(2, 1)).text = "市医改办"  # one lead unit for both rows
    other = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["指标", "2022年", "2025年"], ["基层就诊率", "60%", "65%"]]):
        for c, value in enumerate(row):
            other.cell(r, c).text = value
    path = tmp_path / "tables.docx"
    document.save(path)
    assert read_document(path).text.splitlines() == [
        "附件：任务分工",
        "1.建立任务台账。（责任单位：市医改办；完成时限：2023年6月底前）",
        "2.按季度监测指标。（责任单位：市医改办；完成时限：每季度）",
        "指标\t2022年\t2025年",
        "基层就诊率\t60%\t65%",
    ]


def test_doc_converted_by_libreoffice(plan_doc):
    document = read_document(plan_doc)
    lines = document.text.splitlines()
    assert document.format == "doc"
    for line in seed_lines() + TASK_LINES:
        assert line in lines


def test_wps_that_is_really_a_doc(plan_doc, tmp_path):
    path = tmp_path / "方案.wps"
    shutil.copyfile(plan_doc, path)
    document = read_document(path)
    assert document.format == "wps"
    assert TASK_LINES[1] in document.text.splitlines()


def test_doc_that_is_really_a_docx(plan_docx, tmp_path):
    path = tmp_path / "plan.doc"
    shutil.copyfile(plan_docx, path)
    assert TASK_LINES[1] in read_document(path).text.splitlines()


def test_doc_without_libreoffice(plan_doc, monkeypatch):
    monkeypatch.setenv("HQD_SOFFICE", "/nonexistent/soffice")
    assert reason(plan_doc) == (
        "未安装 LibreOffice，无法读取 .doc/.wps 文件；请安装 libreoffice-writer-nogui，或将文件另存为 .docx 后再导入"
    )


# --- .pdf ---------------------------------------------------------------------------------


def test_pdf_paragraphs_come_back_without_page_furniture(plan_pdf):
    document = read_document(plan_pdf)
    lines = [squash(line) for line in document.text.splitlines()]
    assert document.format == "pdf"
    for line in seed_lines():  # each paragraph is one line again, the centred title too
        assert squash(line) in lines
    assert not [line for line in lines if re.fullmatch(r"[-—]?\d+[-—]?", line)]
    assert RUNNING_HEADER not in document.text
    assert squash(TASK_LINES[0]) in lines and squash(TASK_LINES[2]) in lines
    assert any(line.startswith("1.推进检查检验结果互认。") for line in lines)


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "secret.pdf"
    pdf = canvas.Canvas(str(path), encrypt=StandardEncryption("user-password", "owner-password"))
    pdf.drawString(100, 700, "confidential")
    pdf.save()
    assert reason(path).startswith("文件已加密，无法读取")


def test_scanned_pdf(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawInlineImage(Image.new("RGB", (300, 200), "white"), 50, 400, 300, 200)
    pdf.save()
    assert reason(path) == "没有可提取的文本层（可能是扫描件），请先进行文字识别"


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert reason(path) == "文件已损坏或不是有效的 PDF"


# --- .html --------------------------------------------------------------------------------

GOV_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_杭州市人民政府门户网站</title>
<script type="text/javascript">var menu = "导航脚本";</script><style>.nav {{ color: red }}</style></head>
<body><header>杭州市人民政府门户网站</header>
<nav><a href="/">首页</a><a href="/zwgk">政务公开</a><a href="/bs">办事服务</a></nav>
<div class="main"><div class="position">当前位置：首页 &gt; 政务公开</div>
<h1>{title}</h1>
<div class="content"><div id="zoom" class="TRS_Editor">
{paragraphs}
<table border="1"><tr><th>序号</th><th>工作任务</th><th>责任单位</th><th>完成时限</th></tr>
<tr><td>1</td><td>推进A</td><td rowspan="2">市卫生健康委员会<br>市医保局</td><td>2024年底前</td></tr>
<tr><td>2</td><td>推进B。</td><td>2025年底前</td></tr></table>
</div></div></div>
<footer><p>版权所有：杭州市人民政府办公厅 浙ICP备</p></footer>
<script>document.write("分享到微信");</script></body></html>"""


def _gov_page(lines: list[str]) -> str:
    paragraphs = []
    for line in lines[1:]:
        # saved pages wrap long paragraphs in the source; a break between two 汉字 is no space
        if len(line) > 20 and re.fullmatch(r"[\u4e00-\u9fff]{2}", line[9:11]):
            line = line[:10] + "\n      " + line[10:]
        paragraphs.append(f"<p style=\"text-indent:2em\">\u3000\u3000{line}</p>")
    return GOV_PAGE.format(title=lines[0], paragraphs="\n".join(paragraphs))


def test_gov_site_html_in_gb2312(tmp_path):
    path = tmp_path / "t20220810_1.shtml"
    path.write_bytes(_gov_page(seed_lines()).encode("gbk"))
    document = read_document(path)
    lines = document.text.splitlines()
    assert document.format == "html"
    for line in seed_lines():
        assert line in lines
    assert "1.推进A。（责任单位：市卫生健康委员会、市医保局；完成时限：2024年底前）" in lines
    assert "2.推进B。（责任单位：市卫生健康委员会、市医保局；完成时限：2025年底前）" in lines
    for chrome in ("导航脚本", "政务公开", "版权所有", "分享到微信", "当前位置", "门户网站"):
        assert chrome not in document.text


def test_html_declared_gb2312_but_saved_as_utf8(tmp_path):
    path = tmp_path / "resaved.html"
    path.write_bytes(_gov_page(seed_lines()).encode("utf-8"))
    assert seed_lines()[8] in read_document(path).text.splitlines()


def test_html_without_charset_declaration(tmp_path):
    page = _gov_page(seed_lines()).replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "")
    for encoding in ("utf-8", "gb18030"):
        path = tmp_path / f"page-{encoding}.htm"
        path.write_bytes(page.encode(encoding))
        assert seed_lines()[8] in read_document(path).text.splitlines()


# --- bad input ----------------------------------------------------------------------------


def test_bad_inputs(tmp_path, plan_docx):
    cases: dict[str, tuple[bytes, str]] = {
        "empty.txt": (b"", "文件为空"),
        "binary.txt": (bytes(range(256)) * 8, "不是文本文件"),
        "photo.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "这是图片文件"),
        "photo.txt": (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "这是图片文件"),
        "broken.docx": (b"PK\x03\x04 not really a zip" * 10, "文件已损坏"),
        "random.docx": (bytes(range(256)) * 4, "文件已损坏"),
        "plan.xls": (b"whatever", "不支持的文件类型"),
        "whitespace.txt": ("\u3000 \n\n".encode(), "文件中没有文字内容"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert reason(path).startswith(expected), name
    assert reason(tmp_path / "missing.txt") == "文件不存在"


def test_encrypted_docx(tmp_path, plan_docx):
    path = tmp_path / "secret.docx"
    with plan_docx.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    assert reason(path) == "文件已加密（设置了打开密码），无法读取；请去除密码后再导入"


def test_file_over_the_size_limit_is_refused_by_size(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: nothing is written or read
    assert reason(path).startswith("文件过大（100.0 MB，上限 50.0 MB）")


def test_iter_documents_expands_directories_and_keeps_going(tmp_path):
    folder = tmp_path / "plans"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(PLANS[1], folder / "b.txt")
    shutil.copyfile(PLANS[0], folder / "sub" / "a.txt")
    (folder / "c.txt").write_bytes(b"")
    (folder / ".hidden.txt").write_text("隐藏", encoding="utf-8")
    (folder / "~$b.docx").write_bytes(b"lock")
    (folder / "notes.xlsx").write_bytes(b"skip")
    (tmp_path / "empty").mkdir()
    results = list(iter_documents([folder, tmp_path / "empty", tmp_path / "missing.pdf"]))
    assert [Path(r.path).name for r in results] == ["b.txt", "c.txt", "a.txt", "empty", "missing.pdf"]
    assert [type(r) for r in results] == [DocumentText, PolicyInputError, DocumentText, PolicyInputError,
                                          PolicyInputError]
    assert results[3].reason.startswith("目录中没有可读取的文件")


def test_pdf_with_a_scanned_page_among_text_pages(tmp_path):
    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 700, "Plan text on page one.")
    pdf.showPage()
    pdf.drawInlineImage(Image.new("RGB", (300, 200), "white"), 50, 400, 300, 200)
    pdf.showPage()
    pdf.save()
    document = read_document(path)
    assert document.text == "Plan text on page one."
    assert document.warnings == ["第 2 页只有图像、没有文本层（可能是扫描页），这些页的内容未读取"]


CHINESE_LIST = """<w:abstractNum {ns} w:abstractNumId="90">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>"""


def numbered_docx(path: Path) -> Path:
    """Outline numbers made by Word's automatic numbering, not typed into the text."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(CHINESE_LIST.format(ns=nsdecls("w"))))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in [(0, "总体要求"), (0, "重点任务"), (1, "优质医疗资源提质扩容行动。"), (2, "高标准推进“医学高峰”建设。"),
                        (2, "高质量推动中医药学科发展。"), (1, "医疗技术能力提升行动。"), (2, "提升科研创新能力。"),
                        (None, "（责任单位：市卫生健康委员会）"), (0, "保障措施")]:
        paragraph = document.add_paragraph(text)
        if level is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    document.save(path)
    return path


NUMBERED_LINES = ["一、总体要求", "二、重点任务", "（一）优质医疗资源提质扩容行动。", "1.高标准推进“医学高峰”建设。",
                  "2.高质量推动中医药学科发展。", "（二）医疗技术能力提升行动。", "1.提升科研创新能力。",
                  "（责任单位：市卫生健康委员会）", "三、保障措施"]


def test_docx_automatic_numbering(tmp_path):
    assert read_document(numbered_docx(tmp_path / "numbered.docx")).text.splitlines() == NUMBERED_LINES


def test_automatic_numbering_survives_doc_conversion(tmp_path):
    from documents import soffice_convert

    doc = soffice_convert(numbered_docx(tmp_path / "numbered.docx"), "doc", tmp_path / "doc")
    assert read_document(doc).text.splitlines() == NUMBERED_LINES


def test_docx_tracked_changes_and_inline_content(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("到2025年，")
    paragraph._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="医改办" w:date="2023-01-01T00:00:00Z">'
        "<w:r><w:t>基层就诊率达到65%以上</w:t></w:r></w:ins>"))
    paragraph._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="2" w:author="医改办" w:date="2023-01-01T00:00:00Z">'
        "<w:r><w:delText>，删去的旧目标</w:delText></w:r></w:del>"))
    paragraph._p.append(parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:r><w:t>。</w:t></w:r></w:sdtContent></w:sdt>'))
    path = tmp_path / "tracked.docx"
    document.save(path)
    assert read_document(path).text == "到2025年，基层就诊率达到65%以上。"


def fake_soffice(tmp_path: Path, body: str) -> str:
    """A stand-in `soffice` executable (a real process) for conversions that hang or fail."""
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_doc_conversion_that_hangs_is_stopped(plan_doc, tmp_path, monkeypatch):
    monkeypatch.setenv("HQD_SOFFICE", fake_soffice(tmp_path, "sleep 30 & wait"))
    monkeypatch.setenv("HQD_SOFFICE_TIMEOUT", "0.5")
    assert reason(plan_doc) == "LibreOffice 转换超时（超过 0.5 秒）"


def test_doc_conversion_that_writes_nothing(plan_doc, tmp_path, monkeypatch):
    monkeypatch.setenv("HQD_SOFFICE", fake_soffice(tmp_path, "exit 0"))
    assert reason(plan_doc) == "LibreOffice 无法转换该文件（文件可能已损坏或已加密）"


def ledger_tasks(text: str) -> list[tuple]:
    from hqd.policy import extract_ledger

    return [(t.path, t.title, t.lead_units, t.support_units, t.deadline,
             [(g.indicator, g.comparator, g.value, g.value_high, g.unit) for g in t.targets])
            for t in extract_ledger(text, "plan").tasks]


def test_pdf_and_doc_give_the_ledger_of_the_plain_text(plan_pdf, plan_doc):
    """Reading is faithful enough that the extractor finds every task of the .txt again, with the
    same units, deadline and targets (the attached task table only adds tasks)."""
    expected = ledger_tasks(seed_text())
    assert expected
    for path in (plan_pdf, plan_doc):
        found = ledger_tasks(read_document(path).text)
        assert [task for task in expected if task not in found] == [], path.suffix


def test_justified_pdf_without_indents(tmp_path):
    """The hardest layout: every line full, no first-line indent; justification also stretches the
    gaps between characters, which extraction reads as spaces (XX 妇幼保健院)."""
    from documents import build_docx, soffice_convert

    name = "003_468d74eb8e6abf22.txt"
    docx_path = build_docx(tmp_path / "plan.docx", seed_lines(name), justify=True, indent=False, size=12)
    text = read_document(soffice_convert(docx_path, "pdf", tmp_path / "pdf")).text
    assert ledger_tasks(text) == ledger_tasks(seed_text(name))
    assert "XX 妇幼" not in text and "XX妇幼" in text


def test_pdf_whose_font_has_no_unicode_map(tmp_path):
    path = raw_pdf(tmp_path / "fangsong.pdf", b"BT /F1 14 Tf 72 700 Td <0101020203030404> Tj ET")
    assert reason(path).startswith("PDF 的文字无法解码（字体缺少编码映射）")


def test_pdf_with_a_few_undecodable_glyphs(tmp_path):
    content = b"BT /F2 12 Tf 72 700 Td (Hospital reform plan, 2025.) Tj /F1 12 Tf <0101> Tj ET"
    document = read_document(raw_pdf(tmp_path / "mixed.pdf", content))
    assert document.text == "Hospital reform plan, 2025."
    assert document.warnings == ["有 1 个字符无法从 PDF 解码，已略去，请核对原文"]


def test_pdf_page_border_is_not_a_table(tmp_path):
    path = tmp_path / "framed.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(40, 40, 515, 760)
    pdf.drawString(72, 700, "First line")
    pdf.drawString(72, 680, "Second line")
    pdf.save()
    assert read_document(path).text == "First line\nSecond line"
