"""Excel templates written and read back through real xlsx files, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from hqd.collect.importer import import_file
from hqd.collect.template import FIRST_ROW, META_SHEET, write_templates
from hqd.store.models import AuditLog, DataValue, Submission
from hqd.store.values import get_value
from hqd_testdb import good_values, setup_world, write_values_csv


def fill(path: Path, values: dict[str, dict[str, object]]) -> Path:
    wb = load_workbook(path)
    for org, by_code in values.items():
        ws = wb[org]
        for r in range(FIRST_ROW, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code in by_code:
                ws.cell(r, 4).value = by_code[code]
    wb.save(path)
    return path


def count(store, model) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_template_layout(store, tmp_path):
    setup_world(store, tmp_path)
    prev = [(f"H{i:03d}", code, "2025Q1", v) for i in range(1, 9) for code, v in good_values(i).items()]
    r = import_file(store, write_values_csv(tmp_path / "q1.csv", prev, "GZL"), actor="t")
    assert r.written and r.created == 40, r.errors
    with store.session() as s:
        [path] = write_templates(s, "GZL", "2025Q2", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["填报说明", META_SHEET] + [f"H{i:03d}" for i in range(1, 9)]
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb["H003"]
    assert ws["B2"].value == "H003" and ws["B3"].value == "2025Q2" and ws["B4"].value == "GZL"
    assert ws["D3"].value == "2025-07-10"  # 季度末后 10 天（7月上旬）
    assert [c.value for c in ws[6]] == ["数据项代码", "数据项名称", "单位", "本期数值", "上期数值（参考）", "备注"]
    assert ws.protection.sheet is True
    assert ws["A7"].protection.locked and ws["B7"].protection.locked and ws["E7"].protection.locked
    assert not ws["D7"].protection.locked and not ws["F7"].protection.locked
    assert [ws.cell(r, 1).value for r in range(7, 12)] == ["CYRS", "CYSSRS", "MZSR", "ZYSR", "YLSR"]
    assert ws["C9"].value == "万元"
    assert ws["E7"].value == good_values(3)["CYRS"]  # last period's value beside the entry cell
    assert ws["D7"].value is None
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "decimal" and str(dv.sqref) == "D7:D11"


def test_roundtrip_writes_values_audit_and_drafts(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s:
        [path] = write_templates(s, "GZL", "2025Q2", tmp_path / "t.xlsx")
    fill(path, {f"H{i:03d}": good_values(i) for i in range(1, 9)})
    r = import_file(store, path, actor="张三")
    assert r.errors == [] and r.written and r.created == 40
    with store.session() as s:
        v = get_value(s, "H005", "MZSR", "2025Q2")
        assert v.value == good_values(5)["MZSR"] and v.version == 1 and v.updated_by == "张三" and v.source == "file"
    assert count(store, AuditLog) >= 40
    assert count(store, Submission) == 8
    # The same file again changes nothing; a changed value is an update, audited with old and new.
    again = import_file(store, path, actor="张三")
    assert again.written and again.unchanged == 40 and again.created == again.updated == 0
    fill(path, {"H005": {"MZSR": 900.5, "YLSR": 900.5 + 1205}})
    third = import_file(store, path, actor="李四")
    assert third.updated == 2 and third.unchanged == 38
    with store.session() as s:
        a = s.scalar(select(AuditLog).where(AuditLog.key == "H005|MZSR|2025Q2", AuditLog.action == "update"))
        assert (a.actor, a.old_value, a.new_value, a.source, a.detail) == ("李四", "805.5", "900.5", "file", "t.xlsx")
        assert get_value(s, "H005", "MZSR", "2025Q2").version == 2


def test_every_problem_named_by_sheet_and_cell_and_nothing_written(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s:
        [path] = write_templates(s, "GZL", "2025Q2", tmp_path / "t.xlsx")
    values = {f"H{i:03d}": good_values(i) for i in range(1, 9)}
    values["H001"] = {**good_values(1), "CYRS": "abc"}
    values["H002"] = {**good_values(2), "MZSR": "12%"}
    values["H003"] = {**good_values(3), "CYSSRS": 5000}  # more operations than discharges
    values["H004"] = {**good_values(4), "YLSR": 1}  # 医疗收入 ≠ 门诊收入 + 住院收入
    fill(path, values)
    r = import_file(store, path, actor="t")
    assert not r.written
    text = "\n".join(r.errors)
    assert "文件 t.xlsx 工作表 H001 单元格 D7：“abc”不是数字" in text
    assert "工作表 H002 单元格 D9：“12%”带百分号" in text
    assert "工作表 H003：校验规则错误（R1 出院患者手术人数不超过出院人数）" in text and "D8" in text
    assert "工作表 H004：校验规则错误（R2" in text and "D11" in text
    assert len(r.errors) == 4
    assert count(store, DataValue) == 0 and count(store, Submission) == 0
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "data_value")) == 0


def test_partial_and_dry_run(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s:
        [path] = write_templates(s, "GZL", "2025Q2", tmp_path / "t.xlsx")
    values = {f"H{i:03d}": good_values(i) for i in range(1, 9)}
    values["H001"] = {**good_values(1), "CYRS": "abc"}
    fill(path, values)
    dry = import_file(store, path, actor="t", dry_run=True, partial=True)
    assert not dry.written and dry.created == 35 and count(store, DataValue) == 0
    r = import_file(store, path, actor="t", partial=True)
    assert r.written and r.created == 35 and r.skipped_groups == 1 and len(r.errors) == 1
    with store.session() as s:
        assert get_value(s, "H001", "MZSR", "2025Q2") is None
        assert get_value(s, "H002", "MZSR", "2025Q2").value == good_values(2)["MZSR"]


def test_one_org_template_and_split(store, tmp_path):
    setup_world(store, tmp_path)
    with store.session() as s:
        [one] = write_templates(s, "GZL", "2025Q2", tmp_path, org="H002")
        many = write_templates(s, "GZL", "2025Q2", tmp_path / "split", split=True)
    assert load_workbook(one).sheetnames[-1] == "H002" and len(load_workbook(one).sheetnames) == 3
    assert len(many) == 8 and all(p.exists() for p in many)
    fill(many[1], {"H002": good_values(2)})
    r = import_file(store, many[1], actor="t")
    assert r.written and r.created == 5


def test_value_changed_since_the_template_was_made_is_a_conflict(store, tmp_path):
    from hqd.store.values import set_value

    setup_world(store, tmp_path)
    rows = [("H001", c, "2025Q2", v) for c, v in good_values(1).items()]
    assert import_file(store, write_values_csv(tmp_path / "a.csv", rows, "GZL"), actor="t").written
    with store.session() as s:
        [path] = write_templates(s, "GZL", "2025Q2", tmp_path / "t.xlsx", org="H001")
    ws = load_workbook(path)["H001"]
    assert ws["D7"].value == 1010 and ws["G7"].value == 1 and ws.column_dimensions["G"].hidden
    with store.session() as s:  # somebody corrects 出院人数 in the web form meanwhile
        set_value(s, "H001", "CYRS", "2025Q2", 1500, actor="表单", expected_version=1)
    # The template's user changes other cells only, leaving D7 at the old 1010: no silent revert.
    fill(path, {"H001": {"MZSR": 801.5 + 10, "YLSR": 2002.5 + 10}})
    r = import_file(store, path, actor="文件")
    assert not r.written
    assert r.errors == ["文件 t.xlsx 工作表 H001 单元格 D7：读取后（版本 1）该数据已被他人修改为 1500（版本 2），"
                        "请刷新（或重新生成模板）后再提交"]
    with store.session() as s:
        assert get_value(s, "H001", "CYRS", "2025Q2").value == 1500
        assert get_value(s, "H001", "MZSR", "2025Q2").value == good_values(1)["MZSR"]
    # A fresh template carries version 2 and imports.
    with store.session() as s:
        [path] = write_templates(s, "GZL", "2025Q2", tmp_path / "t2.xlsx", org="H001")
    fill(path, {"H001": {"MZSR": 801.5 + 10, "YLSR": 2002.5 + 10}})
    r = import_file(store, path, actor="文件")
    assert r.written and r.updated == 2 and r.unchanged == 3
