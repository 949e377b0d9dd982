"""Plain report tables in xlsx: a title row, a styled header, frozen panes, filters, literal text only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

_STATUS_FILL = {"已达成": "C6EFCE", "进展顺利": "C6EFCE", "已完成": "C6EFCE", "需加快": "FFEB9C", "进展缓慢": "FCD5B4",
                "滞后": "FCD5B4", "倒退": "FFC7CE", "逾期": "FFC7CE", "无数据": "EDEDED"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def status_fill(status: str) -> str | None:
    return _STATUS_FILL.get(status)


def literal(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula is kept as text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_tables_xlsx(title: str, sheets: dict[str, tuple[list[str], list[list[Any]]]], path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.cell(1, 1, literal(title)).font = Font(name="黑体", size=14, bold=True)
        for c, text in enumerate(header, 1):
            cell = ws.cell(2, c, text)
            cell.font = Font(name="黑体", bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            ws.column_dimensions[get_column_letter(c)].width = max(10, min(48, 4 + 2 * len(text)))
        for r, row in enumerate(rows, 3):
            for c, value in enumerate(row, 1):
                cell = ws.cell(r, c, literal(value))
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if header[c - 1] in ("进展", "状态") and status_fill(str(value)):
                    cell.fill = PatternFill("solid", fgColor=status_fill(str(value)))
        ws.freeze_panes = "A3"
        if rows:
            ws.auto_filter.ref = f"A2:{get_column_letter(len(header))}{len(rows) + 2}"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    wb.save(partial)
    os.replace(partial, path)
    return path
