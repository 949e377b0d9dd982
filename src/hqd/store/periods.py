"""Period identifiers as in DHIS2: `2025` (year), `2025Q2` (quarter), `2025-03` (month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from .errors import StoreError

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TYPE_NAMES = {"year": "年", "quarter": "季度", "month": "月"}


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    type: str  # year / quarter / month
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(code: str) -> PeriodSpec:
    code = code.strip().upper()
    if m := _YEAR.match(code):
        y = int(m.group(1))
        return PeriodSpec(code, "year", date(y, 1, 1), date(y, 12, 31))
    if m := _QUARTER.match(code):
        y, q = int(m.group(1)), int(m.group(2))
        return PeriodSpec(code, "quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
    if m := _MONTH.match(code):
        y, mo = int(m.group(1)), int(m.group(2))
        return PeriodSpec(code, "month", date(y, mo, 1), _month_end(y, mo))
    raise StoreError(f"期间“{code}”格式不正确，应为 2025、2025Q2 或 2025-03")


def shift(code: str, steps: int) -> str:
    """The period `steps` periods after (negative: before) `code`, of the same type."""
    p = parse_period(code)
    if p.type == "year":
        return str(p.start.year + steps)
    if p.type == "quarter":
        n = p.start.year * 4 + (p.start.month - 1) // 3 + steps
        return f"{n // 4}Q{n % 4 + 1}"
    n = p.start.year * 12 + p.start.month - 1 + steps
    return f"{n // 12}-{n % 12 + 1:02d}"


def previous(code: str) -> str:
    return shift(code, -1)


def local_zone() -> tzinfo:
    """The time zone of reporting deadlines (HQD_TIMEZONE, default Asia/Shanghai)."""
    from hqd.config import load_settings

    return _zone(load_settings().timezone)


@lru_cache(maxsize=8)
def _zone(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - no tz database: China Standard Time has no DST
        return timezone(timedelta(hours=8))


def local_date(moment: datetime) -> date:
    """The calendar day of `moment` where the deadlines are set (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone()).date()
