"""Period identifiers as in DHIS2: `2025` (year), `2025Q2` (quarter), `2025-03` (month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from hqd.periods import Period, PeriodError

from .errors import StoreError

TYPE_NAMES = {"year": "年", "quarter": "季度", "month": "月"}


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    type: str  # year / quarter / month
    start: date
    end: date  # the last day, inclusive


def _period(code: str) -> Period:
    try:
        return Period.parse(code)
    except PeriodError as exc:
        raise StoreError(str(exc)) from None


def parse_period(code: str) -> PeriodSpec:
    p = _period(code)
    return PeriodSpec(str(p), p.type, p.first_day, p.last_day)


def shift(code: str, steps: int) -> str:
    """The period `steps` periods after (negative: before) `code`, of the same type."""
    return str(_period(code).shift(steps))


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
