"""The 台账 workbook, read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest

from hqd.policy import Ledger, Target, Task
from hqd.report.ledger_text import baseline_value, target_value, task_number
from hqd.report.ledger_xlsx import TARGET_COLUMNS, TASK_COLUMNS, write_ledger_xlsx


def target(comparator: str, value, unit: str | None, high=None, indicator: str = "基层就诊率") -> Target:
    return Target(indicator=indicator, comparator=comparator, value=value, value_high=high, unit=unit,
                  deadline="2025-12-31", scope=None, text=f"{indicator}达到{value}{unit or ''}")


@pytest.mark.parametrize(("comparator", "value", "high", "unit", "shown"), [
    (">=", 65, None, "%", "≥65%"),
    (">=", 65.0, None, "%", "≥65%"),
    ("range", 2, 3, "个", "2—3个"),
    ("~", 45, None, "%", "≈45%"),
    ("<=", 7, None, "天", "≤7天"),
    ("decrease", 30, None, "%", "减少30%"),
    ("increase", 2, None, "个位次", "提高2个位次"),
    ("=", 10, None, "个", "10个"),
    (">=", 4.78, None, "人", "≥4.78人"),
    (">=", 0.3333, None, "fraction", "≥1/3"),
    ("~", 2, None, "1:N", "≈1:2"),
    (">=", 4, None, "级（甲等）", "≥4级（甲等）"),
    (">=", None, None, "%", ""),
])
def test_target_value(comparator, value, high, unit, shown):
    assert target_value({"comparator": comparator, "value": value, "value_high": high, "unit": unit}) == shown


def test_baseline_value():
    assert baseline_value({"value": 25, "unit": "%", "baseline": 20, "baseline_period": "2022"}) == "20%（2022年）"
    assert baseline_value({"value": 1.0, "unit": None, "baseline": 0.92}) == "0.92"
    assert baseline_value({"value": 25, "unit": "%"}) == ""
    assert baseline_value({"comparator": "decrease", "value": 10, "unit": "%", "baseline_period": "2022"}) == "2022年水平"


def test_task_number():
    assert task_number(["二", "(一)", "3"]) == "二(一)3"


def ledger() -> Ledger:
    return Ledger(
        file="plan.docx", title="杭州市推动公立医院高质量发展行动计划", issuer="杭州市人民政府办公厅",
        doc_number="杭政办函〔2022〕47号", date="2022-08-10",
        tasks=[
            Task(path=["二", "(一)", "3"], title="高水平打造县级强院", lead_units=["市卫生健康委员会"],
                 support_units=["市发改委", "市财政局"], deadline="2025-12-31",
                 targets=[target(">=", 65, "%"), target("range", 2, "个", high=3, indicator="学科进入前十强")],
                 text="县域就诊率达到90%以上，基层就诊率达到65%以上。"),
            Task(path=["二", "(一)", "4"], title='=HYPERLINK("http://x","y")', lead_units=["+市医保局"],
                 targets=[target("~", 45, "%", indicator="-薪酬占比")], text="@SUM(A1:A2)"),
            Task(path=["三", "(一)"], title="\tTAB开头\r", lead_units=[]),
        ],
    )


def test_workbook_layout_and_no_formulas(tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger_xlsx(ledger().to_dict(with_text=True), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["任务台账", "目标指标"]
    sheet = book["任务台账"]
    assert sheet["A1"].value == "杭州市推动公立医院高质量发展行动计划"
    assert "杭政办函〔2022〕47号" in sheet["A2"].value and "2022-08-10" in sheet["A2"].value
    assert "杭州市人民政府办公厅" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == [name for name, _ in TASK_COLUMNS]
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:I6"
    first = [c.value for c in sheet[4]]
    assert first[:6] == ["二(一)3", "高水平打造县级强院", "县域就诊率达到90%以上，基层就诊率达到65%以上。",
                         "市卫生健康委员会", "市发改委、市财政局", "2025-12-31"]
    assert first[6] == "基层就诊率\n学科进入前十强"
    assert first[7] == "≥65%\n2—3个"
    assert first[8] == "基层就诊率达到65%\n学科进入前十强达到2个"
    assert sheet["B4"].alignment.wrap_text
    assert sheet["B5"].value == '=HYPERLINK("http://x","y")'
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
    targets = book["目标指标"]
    assert [c.value for c in targets[3]] == [name for name, _ in TARGET_COLUMNS]
    rows = list(targets.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 3
    assert rows[1][:8] == ("二(一)3", "高水平打造县级强院", "学科进入前十强", "2—3个", "区间", 2, 3, "个")
    assert rows[2][2] == "-薪酬占比"


def test_without_task_text_the_content_column_is_empty(tmp_path):
    path = tmp_path / "ledger.xlsx"
    write_ledger_xlsx(ledger().to_dict(), path)
    assert openpyxl.load_workbook(path)["任务台账"]["C4"].value is None
