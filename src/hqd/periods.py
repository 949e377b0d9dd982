"""Periods (期间): ``2024`` (year), ``2024Q1`` (quarter), ``2024-03`` (month) — shared by every package."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_RE = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")
_TYPES = {"Y": "year", "Q": "quarter", "M": "month"}


class PeriodError(ValueError):
    """A period string that is not 2024, 2024Q1 or 2024-03."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # Y | Q | M
    sub: int = 0  # quarter 1-4 or month 1-12; 0 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _RE.match(str(text).strip().upper())
        if not m:
            raise PeriodError(f"期间“{text}”格式不正确，应为 2025、2025Q2 或 2025-03")
        year = int(m.group(1))
        if year < 1900:
            raise PeriodError(f"期间“{text}”的年份不合理")
        if m.group(2):
            return cls(year, "Q", int(m.group(2)))
        if m.group(3):
            return cls(year, "M", int(m.group(3)))
        return cls(year, "Y", 0)

    def __str__(self) -> str:
        if self.kind == "Q":
            return f"{self.year}Q{self.sub}"
        if self.kind == "M":
            return f"{self.year}-{self.sub:02d}"
        return str(self.year)

    @property
    def type(self) -> str:
        """year, quarter or month (as DHIS2 names period types)."""
        return _TYPES[self.kind]

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.kind == "Y" else (self.sub - 1) * (12 // self.per_year) + 1, 1)

    @property
    def last_day(self) -> date:
        return self.shift(1).first_day - timedelta(days=1)

    @property
    def per_year(self) -> int:
        return {"Y": 1, "Q": 4, "M": 12}[self.kind]

    def shift(self, n: int) -> Period:
        """The period n steps later (n < 0: earlier), in the same period type."""
        if self.kind == "Y":
            return Period(self.year + n, "Y", 0)
        idx = self.year * self.per_year + (self.sub - 1) + n
        return Period(idx // self.per_year, self.kind, idx % self.per_year + 1)

    def prev(self, n: int = 1) -> Period:
        return self.shift(-n)

    def last_year(self) -> Period:
        """The same period one year earlier (上年同期)."""
        return Period(self.year - 1, self.kind, self.sub)

    def year_to_date(self) -> list[Period]:
        """Periods from the start of the year up to and including this one (年初至今)."""
        if self.kind == "Y":
            return [self]
        return [Period(self.year, self.kind, s) for s in range(1, self.sub + 1)]

    @property
    def end_time(self) -> float:
        """The end of the period in fractional years (2024Q1 → 2024.25, 2024 → 2025.0): a time axis
        for trends and projections."""
        if self.kind == "Y":
            return float(self.year + 1)
        return self.year + self.sub / self.per_year


def date_time(iso_date: str) -> float:
    """A deadline such as 2025-12-31 on the same axis (the end of that day)."""
    from datetime import date

    d = date.fromisoformat(iso_date)
    start = date(d.year, 1, 1)
    days = (date(d.year + 1, 1, 1) - start).days
    return d.year + ((d - start).days + 1) / days
