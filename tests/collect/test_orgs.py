"""Org tree import from CSV and xlsx: errors listed by row, nothing written on error, groups."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hqd.collect.orgs import import_orgs, subtree
from hqd.store.errors import StoreError
from hqd.store.models import Org, OrgGroup, OrgGroupMember
from hqd_testdb import write_orgs_csv


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["机构代码", "机构名称", "上级机构代码", "层级", "机构类型", "等级", "分组"], *rows])
    return path


def test_tree_paths_and_groups(store, tmp_path):
    with store.session() as s:
        r = import_orgs(s, write_orgs_csv(tmp_path / "o.csv"), actor="t")
    assert (r.created, r.updated) == (12, 0)
    with store.session() as s:
        assert s.scalar(select(Org.path).where(Org.code == "H003")) == "/ZJ/HZ/XH/H003/"
        assert [o.code for o in subtree(s, "BJ")] == ["BJ", "H002", "H004", "H006", "H008"]
        groups = {g.name: g.kind for g in s.scalars(select(OrgGroup))}
        assert groups == {"西湖医共体": "医共体", "滨江城市医疗集团": "城市医疗集团", "三级": "等级", "二级": "等级",
                          "综合": "类型"}
        members = s.scalar(select(func.count()).select_from(OrgGroupMember).join(OrgGroup)
                           .where(OrgGroup.name == "三级"))
        assert members == 4
    # Re-import: H001 moves to 滨江 and becomes 二级; nothing is duplicated.
    rows = list(csv.reader(open(tmp_path / "o.csv", encoding="utf-8")))
    rows[5] = ["H001", "第1人民医院", "BJ", "4", "综合", "二级", "滨江城市医疗集团"]
    with open(tmp_path / "o2.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with store.session() as s:
        r = import_orgs(s, tmp_path / "o2.csv", actor="t")
    assert (r.created, r.updated) == (0, 1)
    with store.session() as s:
        assert s.scalar(select(Org.path).where(Org.code == "H001")) == "/ZJ/HZ/BJ/H001/"
        assert s.scalar(select(func.count()).select_from(Org)) == 12
        three = s.scalars(select(Org.code).join(OrgGroupMember).join(OrgGroup).where(OrgGroup.name == "三级")).all()
        assert sorted(three) == ["H002", "H003", "H004"]


def test_errors_listed_by_row_and_nothing_written(store, tmp_path):
    rows = [
        ["ZJ", "浙江省", "", "1", "", "", ""],
        ["HZ", "杭州市", "ZJ", "2", "", "", ""],
        ["HZ", "杭州市重复", "ZJ", "2", "", "", ""],  # row 4: duplicate
        ["X1", "", "HZ", "3", "", "", ""],  # row 5: no name
        ["X2", "某区", "NOPE", "3", "", "", ""],  # row 6: unknown parent
        ["X3", "某区", "HZ", "二", "", "", ""],  # row 7: level not a number
        ["X4", "某区", "HZ", "1", "", "", ""],  # row 8: level not below parent's
        ["A", "甲", "B", "3", "", "", ""],  # rows 9-10: a cycle
        ["B", "乙", "A", "4", "", "", ""],
    ]
    with store.session() as s, pytest.raises(StoreError) as exc:
        import_orgs(s, write_csv(tmp_path / "bad.csv", rows), actor="t")
    text = "\n".join(exc.value.problems)
    assert "文件 bad.csv 第 4 行：机构代码“HZ”与第 3 行重复" in text
    assert "第 5 行：机构名称为空" in text
    assert "第 6 行：上级机构代码“NOPE”在文件和数据库中都不存在" in text
    assert "第 7 行：层级“二”不是正整数" in text
    assert "第 8 行：层级 1 应大于上级机构“HZ”的层级 2" in text
    assert "第 9 行" in text and "第 10 行" in text
    assert exc.value.problems[0].startswith("机构导入失败，未写入任何数据")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Org)) == 0


def test_xlsx_and_single_root(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "parent", "level", "type", "grade", "groups"])
    ws.append(["ROOT", "省", None, 1, None, None, None])
    ws.append(["C1", "市", "ROOT", 2.0, None, None, None])
    wb.save(tmp_path / "o.xlsx")
    with store.session() as s:
        assert import_orgs(s, tmp_path / "o.xlsx", actor="t").created == 2
    with store.session() as s, pytest.raises(StoreError, match="只能有一个根机构"):
        import_orgs(s, write_csv(tmp_path / "r.csv", [["OTHER", "另一个省", "", "1", "", "", ""]]), actor="t")
    with store.session() as s, pytest.raises(StoreError, match="缺少必需的列"):
        (tmp_path / "x.csv").write_text("名称,层级\n甲,1\n", encoding="utf-8")
        import_orgs(s, tmp_path / "x.csv", actor="t")


def test_data_elements_from_the_catalog(store):
    from hqd.catalog import default_catalog
    from hqd.collect.datasets import load_catalog_elements
    from hqd.store.models import DataElement

    with store.session() as s:
        n = load_catalog_elements(s)
    base = [e for e in default_catalog().elements.values() if not e.derived]
    assert n == len(base) > 20
    with store.session() as s:
        disch = s.scalar(select(DataElement).where(DataElement.code == "DISCH"))
        assert (disch.name, disch.unit, disch.aggregation) == ("出院患者人次数", "人次", "sum")
        assert s.scalar(select(func.count()).select_from(DataElement)) == n
