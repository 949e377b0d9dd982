"""Reporting periods of record computations: hqd.periods, with the records package's own error."""

from __future__ import annotations

from hqd.periods import Period, PeriodError

from .errors import RecordsError


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError:
        raise RecordsError(f"期间格式无效：{text!r}（应为 2025、2025Q2 或 2025-03）") from None

