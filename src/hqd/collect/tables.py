"""Reading tabular input (xlsx, CSV) with headers in Chinese or English, rows numbered as users see them."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hqd.store.errors import StoreError


@dataclass
class Row:
    where: str  # 文件 x.csv 第 5 行 / 文件 x.xlsx 工作表 机构 第 5 行
    number: int
    values: dict[str, Any]


def decode_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise StoreError(f"文件 {path.name}：无法识别编码（应为 UTF-8 或 GB18030）")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path, columns: Mapping[str, tuple[str, ...]], required: tuple[str, ...]) -> list[Row]:
    """Rows of the first sheet (xlsx) or the file (CSV) as dicts keyed by canonical column names.

    `columns` maps each canonical name to the header spellings accepted for it.
    """
    if not path.is_file():
        raise StoreError(f"文件 {path}：不存在")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
            raise StoreError(f"文件 {path.name}：不是有效的 xlsx 文件（{type(exc).__name__}）") from exc
        ws = wb.worksheets[0]
        raw_rows = [list(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
        label = f"文件 {path.name} 工作表 {ws.title}"
    elif suffix == ".csv":
        raw_rows = [list(r) for r in csv.reader(io.StringIO(decode_text(path)))]
        label = f"文件 {path.name}"
    else:
        raise StoreError(f"文件 {path.name}：不支持的格式“{suffix}”，请使用 .xlsx 或 .csv")
    if not raw_rows:
        raise StoreError(f"{label}：文件为空")
    lookup = {alias.lower(): canon for canon, aliases in columns.items() for alias in (canon, *aliases)}
    header = [cell_text(h) for h in raw_rows[0]]
    index: dict[str, int] = {}
    unknown = []
    for i, h in enumerate(header):
        if not h:
            continue
        canon = lookup.get(h.lower())
        if canon is None:
            unknown.append(h)
        elif canon in index:
            raise StoreError(f"{label} 第 1 行：列“{h}”重复")
        else:
            index[canon] = i
    missing = [c for c in required if c not in index]
    if missing:
        names = "、".join(f"“{columns[c][0] if columns[c] else c}”" for c in missing)
        raise StoreError(f"{label} 第 1 行：缺少必需的列 {names}" + (f"（无法识别的列：{'、'.join(unknown)}）" if unknown else ""))
    out = []
    for n, raw in enumerate(raw_rows[1:], 2):
        if all(cell_text(v) == "" for v in raw):
            continue
        values = {c: (raw[i] if i < len(raw) else None) for c, i in index.items()}
        out.append(Row(f"{label} 第 {n} 行", n, values))
    return out
