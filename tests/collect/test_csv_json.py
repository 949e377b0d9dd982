"""CSV and JSON import: the same checks as Excel, problems named by line or record."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hqd.collect.importer import import_file
from hqd.store.errors import StoreError
from hqd.store.models import DataValue, Period
from hqd.store.values import get_value
from hqd_testdb import good_values, setup_world, write_values_csv


def n_values(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(DataValue))


def test_csv_import_and_line_numbers(store, tmp_path):
    setup_world(store, tmp_path)
    rows = [("H001", c, "2025Q2", v) for c, v in good_values(1).items()]
    rows += [
        ("H999", "CYRS", "2025Q2", 1),  # line 7: unknown org
        ("ZJ", "CYRS", "2025Q2", 1),  # line 8: org not assigned to the data set
        ("H002", "XXXX", "2025Q2", 1),  # line 9: element not in the data set
        ("H002", "CYRS", "2025", 1),  # line 10: a year for a quarterly data set
        ("H002", "MZSR", "2025Q2", "1,2x"),  # line 11: not a number
        ("H001", "CYRS", "2025Q2", 5),  # line 12: duplicate of line 2
        ("H003", "CYRS", "2099Q1", 5),  # line 13: future period
    ]
    r = import_file(store, write_values_csv(tmp_path / "v.csv", rows), actor="t", data_set="GZL")
    assert not r.written
    text = "\n".join(r.errors)
    assert "机构代码“H999”不存在" in text
    assert "机构“ZJ”未分配到数据集“GZL”" in text
    assert "文件 v.csv 第 9 行：数据项“XXXX”不属于数据集“GZL”" in text
    assert "期间“2025”是年" in text
    assert "文件 v.csv 第 11 行：“1,2x”不是数字" in text
    assert "文件 v.csv 第 12 行：数据项“CYRS”重复（已在 文件 v.csv 第 2 行 填写）" in text
    assert "期间“2099Q1”尚未开始" in text
    assert n_values(store) == 0
    with store.session() as s:  # not even the period rows the import created on the way
        assert s.scalar(select(func.count()).select_from(Period)) == 0


def test_csv_gbk_english_headers_thousands(store, tmp_path):
    setup_world(store, tmp_path)
    path = tmp_path / "gbk.csv"
    lines = ["org,element,period,value,comment,data_set", "H001,CYRS,2025Q2,\"1,010\",出院 人次,GZL",
             "H001,CYSSRS,2025Q2,301,,GZL"]
    path.write_bytes("\n".join(lines).encode("gb18030"))
    r = import_file(store, path, actor="t")
    assert r.written and r.created == 2, r.errors
    with store.session() as s:
        assert get_value(s, "H001", "CYRS", "2025Q2").value == 1010


def test_csv_needs_dataset_and_columns(store, tmp_path):
    setup_world(store, tmp_path)
    with pytest.raises(StoreError, match="无法确定数据集"):
        import_file(store, write_values_csv(tmp_path / "a.csv", [("H001", "CYRS", "2025Q2", 1)]), actor="t")
    bad = tmp_path / "b.csv"
    bad.write_text("机构代码,期间,数值\nH001,2025Q2,1\n", encoding="utf-8")
    with pytest.raises(StoreError, match="缺少必需的列 数据项代码"):
        import_file(store, bad, actor="t", data_set="GZL")
    import gc

    assert gc.isenabled()  # the import pauses the garbage collector and always turns it back on


def test_json_import(store, tmp_path):
    setup_world(store, tmp_path)
    doc = {"data_set": "GZL", "period": "2025Q3", "values": [
        {"org": "H002", "element": c, "value": v} for c, v in good_values(2).items()
    ] + [{"org": "H003", "element": "CYRS", "value": True}]}
    path = tmp_path / "v.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = import_file(store, path, actor="api-client", source="api")
    assert r.errors == ["文件 v.json values[5]：“True”不是数字"] and not r.written
    doc["values"].pop()
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = import_file(store, path, actor="api-client", source="api")
    assert r.written and r.created == 5
    with store.session() as s:
        assert get_value(s, "H002", "YLSR", "2025Q3").source == "api"


def test_rules_use_stored_values(store, tmp_path):
    """A file that only updates CYSSRS is checked against the stored CYRS."""
    setup_world(store, tmp_path)
    rows = [("H001", c, "2025Q2", v) for c, v in good_values(1).items()]
    assert import_file(store, write_values_csv(tmp_path / "a.csv", rows, "GZL"), actor="t").written
    r = import_file(store, write_values_csv(tmp_path / "b.csv", [("H001", "CYSSRS", "2025Q2", 99999)], "GZL"),
                    actor="t")
    assert not r.written and "R1" in r.errors[0] and "第 2 行" in r.errors[0]


def test_warning_rule_does_not_block(store, tmp_path):
    setup_world(store, tmp_path)
    vals = {**good_values(1), "ZYSR": 9000, "YLSR": 9000 + good_values(1)["MZSR"]}  # 次均住院收入 > 5万元
    r = import_file(store, write_values_csv(tmp_path / "a.csv", [("H001", c, "2025Q2", v) for c, v in vals.items()],
                                            "GZL"), actor="t")
    assert r.written and any("校验规则警告（R3" in w for w in r.warnings)


def test_entry_closes_after_expiry(store, tmp_path):
    from hqd.collect.datasets import define_data_set
    from hqd_testdb import DATASET

    setup_world(store, tmp_path)
    with store.session() as s:
        define_data_set(s, {**DATASET, "expiry_days": 30}, actor="t")
    path = write_values_csv(tmp_path / "a.csv", [("H001", "CYRS", "2025Q2", 1)], "GZL")
    late = import_file(store, path, actor="t", now=datetime(2025, 8, 1, tzinfo=UTC))
    assert not late.written and "已于 2025-07-30 停止录入" in late.errors[0]
    assert import_file(store, path, actor="t", now=datetime(2025, 7, 20, tzinfo=UTC)).written
