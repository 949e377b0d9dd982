"""The 台账 workbook: one row per task in the layout 卫健委 staff keep their ledgers in,
and a second sheet with one row per target (目标指标)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .ledger_text import COMPARATOR_NAMES, baseline_value, target_value, task_number

TASK_COLUMNS = [("序号", 10), ("任务", 28), ("具体内容", 48), ("牵头单位", 22), ("配合单位", 28),
                ("完成时限", 13), ("目标指标", 30), ("目标值", 13), ("原文", 48)]
TARGET_COLUMNS = [("序号", 10), ("任务", 28), ("目标指标", 32), ("目标值", 13), ("比较方式", 10), ("数值", 10),
                  ("上限", 10), ("单位", 8), ("基线", 13), ("完成时限", 13), ("适用范围", 14), ("原文", 60)]
_BODY = Font(name="宋体", size=11)
_HEAD = Font(name="黑体", size=11, bold=True)
_TITLE = Font(name="黑体", size=16, bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheet programs read as a formula
_CELL_LIMIT = 32767


def write_ledger_xlsx(ledger: dict[str, Any], path: Path) -> None:
    """Write a ledger (`Ledger.to_dict(with_text=True)`; 具体内容 stays empty without task text)."""
    workbook = Workbook()
    tasks_sheet = workbook.active
    tasks_sheet.title = "任务台账"
    rows = [_task_row(task) for task in ledger.get("tasks", [])]
    _fill(tasks_sheet, ledger, TASK_COLUMNS, rows)
    targets = [
        _target_row(task, target) for task in ledger.get("tasks", []) for target in task.get("targets", [])
    ]
    _fill(workbook.create_sheet("目标指标"), ledger, TARGET_COLUMNS, targets)
    workbook.save(path)


def _task_row(task: dict[str, Any]) -> list[Any]:
    targets = task.get("targets", [])
    return [
        task_number(task.get("path", [])),
        task.get("title") or "",
        task.get("text") or "",
        "、".join(task.get("lead_units", [])),
        "、".join(task.get("support_units", [])),
        task.get("deadline") or "",
        "\n".join(t.get("indicator") or "" for t in targets),
        "\n".join(target_value(t) for t in targets),
        "\n".join(t.get("text") or "" for t in targets),
    ]


def _target_row(task: dict[str, Any], target: dict[str, Any]) -> list[Any]:
    def numeric(value: Any) -> Any:
        return float(value) if value is not None else ""

    return [
        task_number(task.get("path", [])),
        task.get("title") or "",
        target.get("indicator") or "",
        target_value(target),
        COMPARATOR_NAMES.get(target.get("comparator") or "", target.get("comparator") or ""),
        numeric(target.get("value")),
        numeric(target.get("value_high")),
        target.get("unit") or "",
        baseline_value(target),
        target.get("deadline") or "",
        target.get("scope") or "",
        target.get("text") or "",
    ]


def _fill(sheet: Worksheet, ledger: dict[str, Any], columns: list[tuple[str, int]], rows: list[list[Any]]) -> None:
    """Title block (rows 1–2), header (row 3), data; frozen header, autofilter, wrapped text."""
    last = get_column_letter(len(columns))
    title = ledger.get("title") or ledger.get("file") or "任务台账"
    _put(sheet, 1, 1, title).font = _TITLE
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 30
    facts = [("文号", ledger.get("doc_number")), ("发文机关", ledger.get("issuer")),
             ("成文日期", ledger.get("date")), ("来源文件", ledger.get("file"))]
    _put(sheet, 2, 1, "　　".join(f"{label}：{value or '—'}" for label, value in facts)).font = _BODY
    sheet.merge_cells(f"A2:{last}2")
    for column, (header, width) in enumerate(columns, 1):
        cell = _put(sheet, 3, column, header)
        cell.font, cell.fill, cell.border = _HEAD, _FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_index, row in enumerate(rows, 4):
        for column, value in enumerate(row, 1):
            cell = _put(sheet, row_index, column, value)
            cell.font, cell.border, cell.alignment = _BODY, _BORDER, _WRAP
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:{last}{max(3, len(rows) + 3)}"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set a cell; text is always stored as text, never as a formula (=, +, -, @ …)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:_CELL_LIMIT]
        cell.value = value
        if value.startswith(_FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    else:
        cell.value = value
    return cell
