"""Tables (from .docx and .html) as lines of text.

A task table (任务 + 牵头单位/配合单位/完成时限 columns) becomes one line per row, written the way
plans write a task in running text, so the extractor's ordinary rules read it:
``3.推进分级诊疗。具体内容（牵头单位：A、B；配合单位：C；完成时限：2025年底）``.
Any other table becomes one tab-separated line per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize import to_simplified
from .spacing import join_lines, unwrap_hard_wraps

_COLUMNS = {
    "number": ("序号", "编号"),
    "title": ("任务", "工作任务", "重点任务", "主要任务", "项目名称", "建设项目"),
    "content": ("工作内容", "具体内容", "具体措施", "工作措施", "建设内容及规模", "建设内容", "建设规模"),
    "lead": ("牵头单位", "责任单位", "牵头部门", "牵头处室", "主责单位"),
    "support": ("配合单位", "协同单位", "配合部门", "配合处室", "参与单位"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限要求", "建设期限", "实施期限", "建设年限"),
}
_HEADER_NOTE = re.compile(r"[（(][^（()）]*[）)]$")  # 牵头单位（部门） → 牵头单位
_UNIT_SEPARATORS = re.compile(r"[\s,，;；/、]+")
_HEADER_ROWS_SCANNED = 3


@dataclass
class TableRow:
    cells: list[str]  # one text per grid column (a merged cell repeats its text); paragraphs on lines
    distinct: list[str]  # the cells drawn in this row, each once (no copies, no cells merged from above)


def render_table(rows: list[TableRow]) -> list[str]:
    for index, row in enumerate(rows[:_HEADER_ROWS_SCANNED]):
        columns = _task_columns(row.cells)
        if columns:
            titles = [_flat(r.distinct[0]) for r in rows[:index] if len(r.distinct) == 1 and r.distinct[0]]
            return titles + _task_lines(rows[index + 1 :], columns, row.cells)
    return [line for row in rows if (line := "\t".join(map(_flat, row.distinct)).strip())]


def prepare_plain_text(text: str) -> str:
    """Plain text as the extractor wants it: hard-wrapped PDF copies joined back, TAB tables read."""
    return render_text_tables(unwrap_hard_wraps(text))


def render_text_tables(text: str) -> str:
    """Tables in plain text (Word's 另存为纯文本 writes a row per line, cells TAB-separated): a task
    table becomes task lines as from .docx; any other table stays as it is."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].count("\t") >= 2:
            j += 1
        if j - i >= 1 and _task_columns([c.strip() for c in lines[i].split("\t")]):
            # a task table; a line of one cell between its rows is a section row (一、深化公立医院改革)
            while j + 1 < len(lines) and lines[j].strip() and "\t" not in lines[j] and lines[j + 1].count("\t") >= 2:
                j += 2
                while j < len(lines) and lines[j].count("\t") >= 2:
                    j += 1
            rows = [_text_row([c.strip() for c in ln.split("\t")]) for ln in lines[i:j]]
            out.extend(render_table(rows))
            i = j
            continue
        out.extend(lines[i : max(j, i + 1)])
        i = max(j, i + 1)
    return "\n".join(out)


def _text_row(cells: list[str]) -> TableRow:
    """A TAB line as a table row; a line of one filled cell spans the table (a section row)."""
    filled = [c for c in cells if c]
    return TableRow(cells, filled if len(filled) == 1 else cells)


def _task_columns(header: list[str]) -> dict[str, int] | None:
    """Column index per kind when this row is the header of a task table, else None."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _header_name(cell)
        for kind, names in _COLUMNS.items():
            if name in names and kind not in columns:
                columns[kind] = index
    has_task = "title" in columns or "content" in columns
    has_owner = any(kind in columns for kind in ("lead", "support", "deadline"))
    return columns if has_task and has_owner else None


def _header_name(cell: str) -> str:
    return _HEADER_NOTE.sub("", re.sub(r"\s+", "", to_simplified(cell)))  # 牽頭單位 is 牵头单位


def _task_lines(rows: list[TableRow], columns: dict[str, int], header: list[str]) -> list[str]:
    # The plan's own word for the lead column is kept: 责任单位 reads differently from 牵头单位.
    lead_label = "责任单位" if "lead" in columns and _header_name(header[columns["lead"]]) == "责任单位" else "牵头单位"
    lines, counter = [], 0
    for row in rows:
        if row.cells == header or not any(row.cells):
            continue
        if len(row.distinct) == 1:  # one merged cell: a section heading such as 一、…
            lines.append(_flat(row.distinct[0]))
            counter = 0
            continue

        def get(kind: str, cells: list[str] = row.cells) -> str:
            return _flat(cells[columns[kind]]) if kind in columns and columns[kind] < len(cells) else ""

        number = get("number").rstrip(".．、")
        counter = int(number) if number.isdigit() else counter + 1
        title, content = get("title"), get("content")
        # each part a sentence of its own, so that no clause runs on into the owners' bracket
        body = (title.rstrip("。；;，,") + "。" if title else "") + (content.rstrip("。；;，,") + "。" if content else "")
        owners = [
            (lead_label, _units(row.cells, columns.get("lead"))),
            ("配合单位", _units(row.cells, columns.get("support"))),
            ("完成时限", get("deadline")),
        ]
        owners_text = "；".join(f"{label}：{value}" for label, value in owners if value)
        lines.append(f"{number or counter}.{body}" + (f"（{owners_text}）" if owners_text else ""))
    return lines


def _units(cells: list[str], column: int | None) -> str:
    """Units listed one per paragraph or with separators, as one 、-separated list."""
    if column is None or column >= len(cells):
        return ""
    return "、".join(part for part in _UNIT_SEPARATORS.split(cells[column]) if part)


def _flat(text: str) -> str:
    """A cell's paragraphs on one line (a table row is rendered as one line)."""
    return join_lines(text.split("\n"))
