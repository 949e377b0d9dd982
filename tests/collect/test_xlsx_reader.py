"""The fast xlsx reader returns what openpyxl reads, for shared and inline strings, numbers, booleans."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from hqd.collect.xlsx import iter_sheets
from hqd.store.errors import StoreError


@pytest.mark.parametrize("write_only", [False, True])
def test_same_values_as_openpyxl(tmp_path, write_only):
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    rows = [["代码", "名称", 1, 2.5, True, None], [None, "跳过一行后", -3, "1,234", False, "备注"], [], ["X", 1e15]]
    for name in ("第一页", "S2"):
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    path = tmp_path / "a.xlsx"
    wb.save(path)
    ours = list(iter_sheets(path, max_col=6))
    ref = load_workbook(path, read_only=True, data_only=True)
    assert [n for n, _ in ours] == ref.sheetnames == ["第一页", "S2"]
    for (_, got), ws in zip(ours, ref.worksheets, strict=True):
        expected = [list(r) + [None] * (6 - len(r)) for r in ws.iter_rows(max_col=6, values_only=True)]
        got = [r for r in got if any(v is not None for v in r)]
        expected = [r for r in expected if any(v is not None for v in r)]
        assert got == expected


def test_broken_file(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(StoreError, match="不是有效的 xlsx 文件"):
        list(iter_sheets(bad))
