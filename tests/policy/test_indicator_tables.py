"""Indicator tables (主要指标表) in real .docx / .html files give targets, as 规划 state their goals."""

from __future__ import annotations

import docx

from hqd.policy import extract_ledger
from hqd.policy.readers import read_document

HEADER = ["序号", "指标名称", "单位", "2020年", "2025年", "指标性质"]
ROWS = [
    ["1", "人均预期寿命", "岁", "78.5", ">79", "预期性"],
    ["2", "孕产妇死亡率", "/10万", "9.5", "9", "预期性"],  # a bare value below its baseline: a ceiling
    ["3", "每千人口执业（助理）医师数", "人", "2.9", "3.2", "预期性"],
    ["4", "个人卫生支出占卫生总费用的比重", "%", "27.5", "27左右", "约束性"],
    ["5", "医疗服务能力", "—", "—", "持续提升", "预期性"],  # no number: not a target
]


def _docx(path, header=HEADER, rows=ROWS):
    d = docx.Document()
    for text in ("某市“十四五”卫生健康事业发展规划", "一、发展目标", "到2025年，主要指标达到下表要求。"):
        d.add_paragraph(text)
    table = d.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    d.add_paragraph("二、重点任务")
    d.add_paragraph("1.推进分级诊疗。到2025年，县域内就诊率达到90%以上。（责任单位：市卫生健康委）")
    d.save(path)
    return path


def test_rows_of_an_indicator_table_in_a_docx_are_targets(tmp_path):
    doc = read_document(_docx(tmp_path / "规划.docx"))
    ledger = extract_ledger(doc.text, file="规划.docx")
    goals, task = ledger.tasks
    assert (goals.path, goals.title, task.path) == (["一"], "发展目标", ["二", "1"])
    got = [(t.indicator, t.comparator, t.value, t.unit, t.deadline, t.baseline, t.baseline_period) for t in goals.targets]
    assert got == [
        ("人均预期寿命", ">=", 79, "岁", "2025-12-31", 78.5, "2020"),
        ("孕产妇死亡率", "<=", 9, "1/10万", "2025-12-31", 9.5, "2020"),
        ("每千人口执业（助理）医师数", ">=", 3.2, "人", "2025-12-31", 2.9, "2020"),
        ("个人卫生支出占卫生总费用的比重", "~", 27, "%", "2025-12-31", 27.5, "2020"),
    ]
    for t in goals.targets:  # the row is the target's source text, exactly as the document has it
        assert doc.text[t.start : t.end] == t.text and t.indicator in t.text


def test_a_target_column_without_years_and_units_in_the_cells(tmp_path):
    html = tmp_path / "方案.html"
    html.write_text(
        "<html><body><p>某县公立医院高质量发展实施方案</p><p>一、主要目标</p><p>到2025年实现以下目标：</p>"
        "<table><tr><th>序号</th><th>指标</th><th>目标值</th></tr>"
        "<tr><td>1</td><td>县域内就诊率</td><td>90%以上</td></tr>"
        "<tr><td>2</td><td>病例组合指数（CMI）</td><td>≥0.9</td></tr></table>"
        "<p>二、重点任务</p><p>1.推进改革。（责任单位：县卫生健康局）</p></body></html>",
        encoding="utf-8",
    )
    ledger = extract_ledger(read_document(html).text)
    goals = ledger.tasks[0]
    got = [(t.indicator, t.comparator, t.value, t.unit, t.deadline, t.baseline) for t in goals.targets]
    # no year column: the rows take the section's 到2025年, as a sentence's targets take their task's date
    assert got == [("县域内就诊率", ">=", 90, "%", "2025-12-31", None),
                   ("病例组合指数（CMI）", ">=", 0.9, None, "2025-12-31", None)]


def test_a_table_that_is_not_about_indicators_gives_no_targets(tmp_path):
    rows = [["1", "市第一人民医院", "三级甲等", "1200"], ["2", "市中医医院", "三级甲等", "800"]]
    path = _docx(tmp_path / "名单.docx", header=["序号", "医院名称", "等级", "床位数"], rows=rows)
    goals = [t for t in extract_ledger(read_document(path).text).tasks if t.path == ["一"]]
    assert goals == []  # no target columns: the 发展目标 section has nothing to track


def test_tables_in_plain_text_as_word_saves_them(tmp_path):
    """Word's 纯文本 export writes each row on a line with TABs: a task table is read as tasks, an
    indicator table as targets, the same as from the .docx."""
    path = tmp_path / "方案.txt"
    path.write_text(
        "某市推动公立医院高质量发展实施方案\n2024年3月1日\n一、主要目标\n"
        + "\n".join("\t".join(r) for r in [HEADER, *ROWS[:2]])
        + "\n二、重点任务\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
        "1\t推进分级诊疗，县域内就诊率达到90%以上\t市卫生健康委\t市医保局\t2025年底\n"
        "2\t建设紧密型医共体\t市卫生健康委\t市财政局、市医保局\t2024年12月底前\n",
        encoding="utf-8",
    )
    ledger = extract_ledger(read_document(path).text)
    goals, first, second = ledger.tasks
    assert [(t.indicator, t.value, t.baseline) for t in goals.targets] == [("人均预期寿命", 79, 78.5), ("孕产妇死亡率", 9, 9.5)]
    assert (first.path, first.lead_units, first.support_units, first.deadline) == (
        ["二", "1"], ["市卫生健康委"], ["市医保局"], "2025-12-31")
    assert [(t.indicator, t.value) for t in first.targets] == [("县域内就诊率", 90)]
    assert (second.support_units, second.deadline) == (["市财政局", "市医保局"], "2024-12-31")


def test_two_goal_years_and_an_annexed_table_the_goals_point_to():
    text = ("某区推进紧密型医疗集团建设工作方案\n2025年3月18日\n一、工作目标\n到2026年，医疗集团运行机制基本完善，"
            "主要指标见附件1。\n二、重点任务\n1.组建医疗集团。（区卫健局负责）\n附件1：指标任务分解表\n"
            "序号\t指标名称\t单位\t2024年基数\t2025年目标\t2026年目标\n"
            "1\t区域内就诊率\t%\t85\t88\t90\n"
            "2\t基层中医药服务量占比\t%\t—\t30\t35\n"
            "3\t区域外转诊率\t%\t8\t7\t6.5\n")
    goals, task = extract_ledger(text).tasks  # the annex is no task: its rows are the goals of 一
    assert (goals.path, task.path) == (["一"], ["二", "1"])
    got = [(t.indicator, t.comparator, t.value, t.deadline, t.baseline, t.baseline_period) for t in goals.targets]
    assert got == [
        ("区域内就诊率", ">=", 88, "2025-12-31", 85, "2024"), ("区域内就诊率", ">=", 90, "2026-12-31", 85, "2024"),
        # no baseline: the row's own years tell the way (30 → 35)
        ("基层中医药服务量占比", ">=", 30, "2025-12-31", None, None),
        ("基层中医药服务量占比", ">=", 35, "2026-12-31", None, None),
        ("区域外转诊率", "<=", 7, "2025-12-31", 8, "2024"), ("区域外转诊率", "<=", 6.5, "2026-12-31", 8, "2024"),
    ]
