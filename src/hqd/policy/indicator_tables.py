"""Indicator tables (主要指标表): targets from rows of 指标 | 单位 | 2020年 | 2025年 | 指标性质.

Plans, 规划 above all, state their quantitative goals in a table as often as in sentences. The
readers render a table that is not a task table as one tab-separated line per row (readers/tables.py),
so a table here is a header line naming an indicator column and at least one year or 目标值 column,
followed by the rows under it. Each row with a number in the latest column is a target:

* value and comparator from that cell (≥80, ＜8, 90以上, 0.9左右, 3.2); a bare number takes its
  direction from the row's earliest year column (2.9 → 3.2 is a floor, 9.5 → 9 a ceiling), as
  with a plain 达到 in text;
* unit from a 单位 column, else from the cell (``/10万`` is written ``1/10万`` as in text targets);
* deadline the end of the target year; the earliest year column is the stated baseline;
* ``text`` is the whole row line, an exact substring of the document text like any target clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import Line
from .targets import COUNT_UNIT_RE, DENSITY

_NAME = re.compile(r"^(?:主要|核心|关键|考核|评价|监测|绩效)?(?:指标|指标名称|指标内容|指标项目|名称|项目)$")
_YEAR = re.compile(r"^(?P<year>20\d\d)\s*年?\s*(?P<what>目标值?|目标|预期值?|基期值?|基数|现状值?|实际值?)?$")
_TARGET_ONLY = re.compile(r"^(?:目标值?|预期目标|目标值?\(\d{4}年?\))$")
_UNIT = re.compile(r"^(?:单位|计量单位)$")
_RANGE_CELL = re.compile(r"^(?P<lo>\d+(?:\.\d+)?)\s*(?:%|‰)?\s*[—–\-~至到]+\s*(?P<hi>\d+(?:\.\d+)?)\s*(?P<unit>%|‰|[\u4e00-\u9fff]{1,3})?$")
_CELL = re.compile(
    r"^(?P<cmp>≥|≤|>=|<=|>|<|不低于|不少于|不高于|不超过|达到)?\s*(?P<v>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>%|‰|/10万|/万|/千|DDDs|(?:(?!以上|以下|以内|左右)[\u4e00-\u9fff]){1,3})?\s*(?P<suffix>以上|以下|以内|左右)?$"
)
CELL_COMPARATORS = {"≥": ">=", ">=": ">=", ">": ">=", "不低于": ">=", "不少于": ">=", "达到": ">=",
        "≤": "<=", "<=": "<=", "<": "<=", "不高于": "<=", "不超过": "<="}
_SUFFIX_CMP = {"以上": ">=", "以下": "<=", "以内": "<=", "左右": "~"}


@dataclass
class TableTarget:
    indicator: str
    comparator: str
    value: float
    unit: str | None
    deadline: str | None
    value_high: float | None
    baseline: float | None
    baseline_period: str | None
    start: int  # the row line in the document
    end: int


@dataclass
class _Columns:
    name: int
    targets: list[tuple[int, int | None]]  # (column, its year) of each goal column, in order
    base: int | None
    base_year: int | None
    unit: int | None


def _cells(line: Line, original: str) -> list[tuple[int, int]]:
    """(start, end) of each tab-separated cell of a line, in document offsets."""
    spans, pos = [], line.start
    for part in line.text.split("\t"):
        s, e = pos, pos + len(part)
        while s < e and original[s].isspace():
            s += 1
        while e > s and original[e - 1].isspace():
            e -= 1
        spans.append((s, e))
        pos += len(part) + 1
    return spans


def _header(cells: list[str]) -> _Columns | None:
    name = next((i for i, c in enumerate(cells) if _NAME.match(c)), None)
    if name is None:
        return None
    years = [(int(m["year"]), i, m["what"] or "") for i, c in enumerate(cells) if (m := _YEAR.match(c))]
    target_only = [i for i, c in enumerate(cells) if _TARGET_ONLY.match(c)]
    if not years and not target_only:
        return None
    unit = next((i for i, c in enumerate(cells) if _UNIT.match(c)), None)
    # The base is the column called 基数/基期/现状, else the earliest year when another column is a goal
    named_base = [(y, i) for y, i, what in years if re.match(r"基|现状|实际", what)]
    if named_base:
        base_year, base = named_base[0]
    elif len(years) + len(target_only) >= 2:
        base_year, base = min((y, i) for y, i, _ in years) if years else (None, None)
    else:
        base_year, base = None, None
    goals = [(i, y) for y, i, _ in sorted(years) if i != base]
    for i in target_only:
        m = re.search(r"(20\d\d)", cells[i])
        goals.append((i, int(m.group(1)) if m else None))
    return _Columns(name, goals, base, base_year, unit) if goals else None


def _number(cell: str) -> tuple[str | None, float, str | None] | None:
    if r := _RANGE_CELL.match(cell.replace(" ", "")):  # 85%—93%: the low end, the range in value_high
        return "range", float(r["lo"]), r["unit"]
    m = _CELL.match(cell.replace(" ", ""))
    if not m:
        return None
    cmp_ = CELL_COMPARATORS.get(m["cmp"] or "") or _SUFFIX_CMP.get(m["suffix"] or "")
    return cmp_, float(m["v"]), m["unit"]


def _unit(text: str | None) -> str | None:
    if not text:
        return None
    return "1" + text if text.startswith("/") else text


def table_targets(lines: list[Line], original: str, start: int, end: int) -> list[TableTarget]:
    """Targets in the indicator tables whose lines lie in original[start:end]."""
    out: list[TableTarget] = []
    cols: _Columns | None = None
    for line in lines:
        if line.start < start or line.end > end or line.blank:
            continue
        if "\t" not in line.text:
            cols = None  # a table ends at the first line that is not a row
            continue
        spans = _cells(line, original)
        texts = [line.text[s - line.start : e - line.start] for s, e in spans]
        header = _header(texts)
        if header is not None:
            cols = header
            continue
        if cols is None or cols.name >= len(texts):
            continue
        indicator = original[spans[cols.name][0] : spans[cols.name][1]]
        unit_cell = texts[cols.unit] if cols.unit is not None and cols.unit < len(texts) else None
        base = _number(texts[cols.base]) if cols.base is not None and cols.base < len(texts) else None
        cells = [texts[column] if column < len(texts) else "" for column, _ in cols.targets]
        goals = [(year, _number(cell) if cell else None) for cell, (_, year) in zip(cells, cols.targets, strict=True)]
        numbers = [v[1] for _, v in goals if v is not None]
        # a bare goal value points the way the row moves: from its baseline, else from year to year
        origin = base[1] if base is not None else (numbers[0] if len(numbers) > 1 else None)
        for (year, value), cell in zip(goals, cells, strict=True):  # 2025年目标 and 2026年目标: one each
            if value is None or not indicator:
                continue
            cmp_, target, cell_unit = value
            moved = numbers[-1] if base is None else target
            if cmp_ is None and origin is not None:
                cmp_ = ">=" if moved > origin else "<=" if moved < origin else "="  # held at its level: =
            elif cmp_ is None:  # a level to reach (达到), as in text; a count to build stays exact
                unit = _unit(unit_cell) or _unit(cell_unit) or ""
                counted = COUNT_UNIT_RE.fullmatch(unit) or unit == "起"  # 0起: incidents, counted
                cmp_ = "=" if counted and not DENSITY.search(indicator) else ">="
            high = _RANGE_CELL.match(cell.replace(" ", "")) if cmp_ == "range" else None
            out.append(TableTarget(
                indicator=indicator, comparator=cmp_, value=target, unit=_unit(unit_cell) or _unit(cell_unit),
                deadline=f"{year}-12-31" if year else None, value_high=float(high["hi"]) if high else None,
                baseline=base[1] if base else None,
                baseline_period=str(cols.base_year) if base and cols.base_year else None,
                start=line.start, end=line.end,
            ))
    return out
