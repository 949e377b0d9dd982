"""Reporting periods: ``2025`` (year), ``2025Q2`` (quarter), ``2025-03`` (month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import RecordsError


@dataclass(frozen=True)
class Period:
    text: str
    kind: str  # year | quarter | month
    year: int
    start: date  # inclusive
    end: date  # exclusive


def _next_month(y: int, m: int) -> date:
    return date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)


def parse_period(text: str) -> Period:
    s = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})", s):
        y = int(m[1])
        return Period(s, "year", y, date(y, 1, 1), date(y + 1, 1, 1))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", s):
        y, q = int(m[1]), int(m[2])
        return Period(s, "quarter", y, date(y, 3 * q - 2, 1), _next_month(y, 3 * q))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return Period(s, "month", y, date(y, mo, 1), _next_month(y, mo))
    raise RecordsError(f"期间格式无效：{text!r}（应为 2025、2025Q2 或 2025-03）")
