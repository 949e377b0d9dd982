"""The catalog data files: counts and flags against the reference, structure, validation messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hqd.catalog import CatalogError, default_catalog, load_catalog, validate
from hqd.catalog import expr as E
from hqd.catalog.load import builtin_paths
from hqd.cli import app

CAT = default_catalog()
runner = CliRunner()


def test_tertiary_counts_match_reference():
    t3 = CAT.in_set("T3")
    assert len(t3) == 56  # 55 + 增1
    assert sorted(int(i.seq) for i in t3 if i.seq.isdigit()) == list(range(1, 56))
    national = {int(i.seq) for i in t3 if i.national}
    assert national == {4, 5, 6, 8, 9, 10, 13, 14, 17, 24, 31, 33, 34, 35, 36, 38, 39, 40, 41, 45, 46, 48, 50, 53, 54, 55}
    assert {int(i.seq) for i in t3 if i.kind == "定性"} == {12, 24, 42, 43, 52}
    assert not CAT.get("T3-16").national  # 点评处方 is not ▲
    added = CAT.get("T3-A1")
    assert added.seq == "增1" and added.name == "重点监控高值医用耗材收入占比" and not added.national


def test_secondary_counts_match_reference():
    t2 = CAT.in_set("T2")
    assert len(t2) == 28 and all(i.kind == "定量" for i in t2)
    assert {int(i.seq) for i in t2 if i.national} == {1, 2, 3, 4, 5, 6, 11, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23,
                                                      24, 26, 27, 28}


def test_high_quality_set_is_marked_unverified():
    hq = CAT.in_set("HQ")
    assert hq and all(i.tag == "U" for i in hq)
    assert all("未核实" in i.definition for i in hq)


@pytest.mark.parametrize("name", [
    "基层就诊率", "县域就诊率", "每千常住人口医疗卫生机构床位数", "每千常住人口执业（助理）医师数", "每千常住人口注册护士数",
    "医疗服务收入占比", "人员支出占业务支出比重", "门急诊和住院次均费用增幅", "平均住院日", "日间手术占择期手术比例",
    "门诊号源网上开放比例", "电子病历应用水平分级", "医护比", "每千名老年人医疗卫生机构康复护理床位数", "县级公立医院中三级医院占比",
])
def test_regional_indicators_present(name):
    assert any(i.name == name for i in CAT.in_set("RG"))


def test_every_indicator_is_complete():
    for ind in CAT.indicators.values():
        assert ind.tag in "SKU" and ind.definition and ind.unit and ind.direction and ind.source, ind.code
        if ind.kind == "定性":
            assert not ind.computable and (ind.grades or ind.grades_note), ind.code
        else:
            assert ind.computable or ind.no_formula, ind.code
        if ind.tag == "U" and not ind.computable and ind.kind == "定量":
            assert "未核实" in ind.definition or "未核实" in ind.no_formula


def test_formulas_only_use_dictionary_elements():
    used = set()
    for code in CAT.indicators:
        for opt in [None, *[{o: c} for o in CAT.options for c in CAT.options[o].choices]]:
            for _c, _n, f in CAT.formulas(code, opt):
                for t in (f.numerator, f.denominator):
                    if t:
                        used.update(E.codes(t))
    for el in CAT.elements.values():
        for t in [el.formula or "", *el.variants.values()]:
            if t:
                used.update(E.codes(t))
    assert used <= set(CAT.elements)
    assert {"MED_INC", "DRUG_INC", "MATERIAL_INC", "EXAM_INC", "LAB_INC"} <= used


def test_service_income_built_from_components():
    el = CAT.elements["MED_SERVICE_INC"]
    assert el.option == "service_income_basis"
    assert CAT.element_formula("MED_SERVICE_INC") == "MED_INC - DRUG_INC - MATERIAL_INC - EXAM_INC - LAB_INC"
    assert "OTHER_MED_INC" in CAT.element_formula("MED_SERVICE_INC", {"service_income_basis": "identity_minus_other"})
    with pytest.raises(ValueError, match="没有取值"):
        CAT.resolve_options({"service_income_basis": "guess"})


def test_open_choices_are_documented_options():
    for code in ("service_income_basis", "staff_expense_basis"):
        opt = CAT.options[code]
        assert opt.tag == "U" and opt.note and len(opt.choices) >= 2


BAD = """\
kind: indicators
set: ZJ
name: 浙江省自定义指标
version: "2024"
indicators:
  - code: ZJ-01
    name: 测试指标
    kind: 定量
    unit: "%"
    direction: 越高越好
    source: 医院填报
    tag: S
    definition: 测试
    numerator: NOT_AN_ELEMENT
    denominator: DISCH
    factor: 100
  - code: ZJ-02
    name: 注入
    kind: 定量
    unit: "%"
    direction: 逐步提高
    source: 医院填报
    tag: S
    definition: 测试
    numerator: "DISCH; DROP TABLE data_value"
    factor: 100
  - code: T3-01
    name: 重复代码
    kind: 定性
    unit: 无
    direction: 逐步提高
    source: 医院填报
    tag: X
    definition: 测试
  - code: ZJ-04
    name: 缺定义
    kind: 定量
    unit: "%"
    direction: 逐步提高
    source: 医院填报
    tag: S
    numerator: DISCH
    factr: 100
"""


def test_validate_reports_every_problem(tmp_path: Path):
    f = tmp_path / "zj.yaml"
    f.write_text(BAD, encoding="utf-8")
    problems = validate([f])
    where = {(p.file, p.code, p.key) for p in problems}
    assert ("zj.yaml", "ZJ-01", "numerator") in where
    assert ("zj.yaml", "ZJ-01", "direction") in where
    assert ("zj.yaml", "ZJ-02", "numerator") in where
    assert ("zj.yaml", "T3-01", "code") in where
    assert ("zj.yaml", "T3-01", "tag") in where
    assert ("zj.yaml", "T3-01", "grades") in where
    assert ("zj.yaml", "ZJ-04", "definition") in where
    assert ("zj.yaml", "ZJ-04", "factr") in where
    msgs = " ".join(p.message for p in problems)
    assert "未知的数据项代码“NOT_AN_ELEMENT”" in msgs and "分号" in msgs
    with pytest.raises(CatalogError) as e:
        load_catalog([*builtin_paths(), f])
    assert "zj.yaml" in str(e.value)


def test_validate_bad_yaml_and_missing_file(tmp_path: Path):
    f = tmp_path / "broken.yaml"
    f.write_text("kind: indicators\nindicators: [\n", encoding="utf-8")
    problems = validate([f, tmp_path / "nope.yaml"], with_builtin=False)
    assert any("YAML格式错误" in p.message and p.file == "broken.yaml" for p in problems)
    assert any("文件不存在" in p.message for p in problems)


def test_good_province_file_validates(tmp_path: Path):
    f = tmp_path / "ok.yaml"
    f.write_text(BAD.split("  - code: ZJ-02")[0].replace("越高越好", "逐步提高").replace("NOT_AN_ELEMENT", "DISCH_SURG_OPS"),
                 encoding="utf-8")
    assert validate([f]) == []
    cat = load_catalog([*builtin_paths(), f])
    assert cat.get("ZJ-01").formula.numerator == "DISCH_SURG_OPS"


def test_cli_validate_exit_codes(tmp_path: Path):
    f = tmp_path / "zj.yaml"
    f.write_text(BAD, encoding="utf-8")
    r = runner.invoke(app, ["catalog", "validate", str(f)])
    assert r.exit_code == 2
    assert "zj.yaml，ZJ-01，字段“numerator”" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["catalog", "validate"])
    assert r.exit_code == 0 and "校验通过" in r.output


def test_cli_list_json_and_xlsx(tmp_path: Path):
    r = runner.invoke(app, ["catalog", "list", "--set", "T2", "--format", "json"])
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert len(rows) == 28 and rows[12]["指标名称"] == "平均住院日" and rows[12]["分母"] == "DISCH"
    out = tmp_path / "cat.xlsx"
    r = runner.invoke(app, ["catalog", "list", "--format", "xlsx", "--out", str(out)])
    assert r.exit_code == 0
    ws = load_workbook(out).active
    assert ws.cell(1, 1).value == "代码" and ws.max_row == len(CAT.indicators) + 1
    assert runner.invoke(app, ["catalog", "list", "--format", "xlsx"]).exit_code == 2
    assert runner.invoke(app, ["catalog", "list", "--set", "XX"]).exit_code == 2


def test_cli_show_search_sql():
    r = runner.invoke(app, ["catalog", "show", "T3-31"])
    assert r.exit_code == 0 and "MED_SERVICE_INC" in r.output and "service_income_basis" in r.output
    assert runner.invoke(app, ["catalog", "show", "T9-99"]).exit_code == 2
    r = runner.invoke(app, ["catalog", "search", "醫護比"])
    assert r.exit_code == 0 and "T3-46" in r.output
    r = runner.invoke(app, ["catalog", "sql", "T3-33", "-p", "2024", "-d", "postgres", "--option", "staff_expense_basis=2019"])
    assert r.exit_code == 0 and "STAFF_EXP" in r.output and "BUS_EXP" in r.output
    for bad in (["T3-33", "-p", "2024x"], ["T3-33", "-p", "2024", "-d", "oracle"], ["T3-24", "-p", "2024"],
                ["T3-33", "-p", "2024", "--option", "nope=1"]):
        r = runner.invoke(app, ["catalog", "sql", *bad])
        assert r.exit_code == 2 and "错误" in r.output, bad


def test_cli_validate_directory_and_encoding(tmp_path: Path):
    (tmp_path / "gbk.yaml").write_bytes("kind: indicators\nname: 浙江\n".encode("gbk"))
    r = runner.invoke(app, ["catalog", "validate", str(tmp_path)])
    assert r.exit_code == 2 and "gbk.yaml" in r.output and "UTF-8" in r.output
    empty = tmp_path / "empty"
    empty.mkdir()
    r = runner.invoke(app, ["catalog", "validate", str(empty)])
    assert r.exit_code == 2 and "没有YAML文件" in r.output
