"""`hqd ingest` end to end: real files, the real command (CliRunner and the installed script)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from documents import PLANS, SEED, raw_pdf
from hqd.cli import app

runner = CliRunner()


def ingest(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["ingest", *args], env=env)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("错误：")]


def test_one_file_gives_one_json_object():
    result = ingest(str(PLANS / SEED))
    assert result.exit_code == 0, result.stderr
    ledger = json.loads(result.stdout)
    assert ledger["file"] == SEED
    assert ledger["doc_number"] == "杭政办函〔2022〕47号"
    assert ledger["tasks"]


def test_a_directory_gives_a_json_array():
    result = ingest(str(PLANS))
    assert result.exit_code == 0, result.stderr
    assert [ledger["file"] for ledger in json.loads(result.stdout)] == sorted(p.name for p in PLANS.glob("*.txt"))


def test_docx_task_table_reaches_the_ledger(plan_docx):
    ledger = json.loads(ingest(str(plan_docx)).stdout)
    task = next(t for t in ledger["tasks"] if t["title"] == "推进检查检验结果互认")
    assert task["lead_units"] == ["市卫生健康委员会"]
    assert task["support_units"][:2] == ["市医保局", "市财政局"]
    assert task["deadline"] == "2024-12-31"


def test_out_dir_writes_one_file_per_input_and_bad_files_do_not_stop_the_rest(tmp_path, plan_docx):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(PLANS / SEED, folder / "a.txt")
    shutil.copyfile(plan_docx, folder / "a.docx")  # same stem: both are written (a.docx sorts first)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)  # not listed: not a plan format
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n%broken")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(100 * 1024 * 1024)
    out = tmp_path / "out"
    for fmt in ("json", "xlsx"):
        result = ingest(str(folder), str(huge), str(tmp_path / "missing.docx"), "--format", fmt, "--out", str(out))
        assert result.exit_code == 2
        errors = error_lines(result.stderr)
        assert [line.split("：")[1] for line in errors] == [
            str(folder / "binary.txt"), str(folder / "empty.txt"), str(folder / "scan.pdf"), str(huge),
            str(tmp_path / "missing.docx"),
        ]
        assert errors[1] == f"错误：{folder / 'empty.txt'}：文件为空"
        assert errors[3].startswith(f"错误：{huge}：文件过大")
        assert sorted(p.name for p in out.glob(f"*.{fmt}")) == [f"a.{fmt}", f"a_txt.{fmt}"]
    assert json.loads((out / "a_txt.json").read_text(encoding="utf-8"))["file"] == "a.txt"
    assert not list(out.glob(".*"))  # no partial files left behind


def test_xlsx_needs_an_out_dir():
    result = ingest(str(PLANS / SEED), "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误：xlsx 格式需要用 --out 指定输出目录，例如 --out out/ledgers"


def test_unknown_format():
    result = ingest(str(PLANS / SEED), "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：不支持的输出格式“csv”")


def test_text_that_is_not_a_plan_gives_a_hint_and_exit_0(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("今天天气很好，我们去公园散步。\n", encoding="utf-8")
    result = ingest(str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["tasks"] == []
    hints = [line for line in result.stderr.splitlines() if line.startswith(f"提示：{path}：")]
    assert len(hints) == 1


def test_table_format(plan_docx):
    result = ingest(str(plan_docx), "--format", "table")
    assert result.exit_code == 0, result.stderr
    for word in ("序号", "牵头单位", "配合单位", "完成时限", "目标", "推进检查检验结果互认", "杭政办函〔2022〕47号"):
        assert word in result.stdout


def test_doc_without_libreoffice_is_reported(plan_doc, tmp_path):
    good = tmp_path / "good.txt"
    shutil.copyfile(PLANS / SEED, good)
    out = tmp_path / "out"
    result = ingest(str(plan_doc), str(good), "--out", str(out), env={"HQD_SOFFICE": str(tmp_path / "no-soffice")})
    assert result.exit_code == 2
    assert error_lines(result.stderr) == [
        f"错误：{plan_doc}：未安装 LibreOffice，无法读取 .doc/.wps 文件；请安装 libreoffice-writer-nogui，"
        "或将文件另存为 .docx 后再导入"
    ]
    assert (out / "good.json").exists()


def test_installed_command_with_a_doc_and_an_encrypted_pdf(plan_doc, tmp_path):
    """The real `hqd` script: exit status 2, one Chinese line per bad file, the good file written."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    secret = tmp_path / "密件.pdf"
    pdf = canvas.Canvas(str(secret), encrypt=StandardEncryption("user", "owner"))
    pdf.drawString(100, 700, "secret")
    pdf.save()
    out = tmp_path / "out"
    hqd = Path(sys.executable).with_name("hqd")
    done = subprocess.run([str(hqd), "ingest", str(secret), str(plan_doc), "--out", str(out), "--format", "xlsx"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert error_lines(done.stderr) == [f"错误：{secret}：文件已加密，无法读取；请去除打开密码后再导入"]
    sheet = openpyxl.load_workbook(out / "plan.xlsx")["任务台账"]
    tasks = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "推进检查检验结果互认" in tasks


def test_only_chinese_lines_on_stderr_for_a_pdf_with_broken_fonts(tmp_path):
    path = raw_pdf(tmp_path / "fangsong.pdf", b"BT /F1 14 Tf 72 700 Td <0101020203030404> Tj ET")
    result = ingest(str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"错误：{path}：PDF 的文字无法解码（字体缺少编码映射），请先进行文字识别或提供原始 Word 文件"
    ]
