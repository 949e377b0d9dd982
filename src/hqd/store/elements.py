"""Data elements (数据项): filled from plain records until the catalog provides them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import StoreError
from .models import DataElement

AGGREGATIONS = ("sum", "average", "last")


def upsert_data_elements(session: Session, records: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update data elements from records with code, name, unit, aggregation."""
    problems: list[str] = []
    clean: dict[str, dict[str, Any]] = {}
    for i, rec in enumerate(records, 1):
        code = str(rec.get("code") or "").strip()
        name = str(rec.get("name") or "").strip()
        agg = str(rec.get("aggregation") or "sum").strip().lower()
        where = f"第 {i} 条数据项"
        if not code:
            problems.append(f"{where}：缺少代码（code）")
            continue
        if not name:
            problems.append(f"{where}（{code}）：缺少名称（name）")
        if agg not in AGGREGATIONS:
            problems.append(f"{where}（{code}）：汇总方式“{agg}”无效，应为 sum、average 或 last")
        if code in clean:
            problems.append(f"{where}：代码“{code}”重复")
        clean[code] = {"code": code, "name": name, "unit": (str(rec.get("unit") or "").strip() or None),
                       "aggregation": agg}
    if problems:
        raise StoreError(problems)
    existing = {e.code: e for e in session.scalars(select(DataElement).where(DataElement.code.in_(list(clean))))}
    for code, rec in clean.items():
        el = existing.get(code)
        if el is None:
            session.add(DataElement(**rec))
        else:
            el.name, el.unit, el.aggregation = rec["name"], rec["unit"], rec["aggregation"]
    session.flush()
    return len(clean)
