"""Completion times stated in plan text: 到2025年, 2023年12月底前, 今年6月底前, 9月底前, 年内, “十四五”期间.

Each mention resolves to the last day it allows (YYYY-MM-DD). Years inside plan names or ranges
(行动计划(2021—2025年)), baselines (在2020年基础上), past years and recurring schedules (每年6月底前)
are not deadlines. Placeholders such as 20__年 are mentions without a date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from .numerals import cn_to_int

_YEAR = r"(?P<year>\d{4}|20__|[二〇零一三四五六七八九]{4})"
_MONTH = r"(?:(?P<month>\d{1,2}|[一二三四五六七八九十]{1,2}|__)\s*月(?:份)?(?:\s*(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?)"
_HALF = r"(?P<half>上半年|下半年|一季度|二季度|三季度|四季度|第[一二三四]季度)"
ABSOLUTE = re.compile(
    rf"{_YEAR}\s*年\s*(?:度)?(?:{_MONTH}|{_HALF})?(?P<tail>\s*(?:年?底|年?末|中|初|前|以前|之前|内))?"
)
RELATIVE = re.compile(
    r"(?<![一二两三四五六七八九十\d个])(?P<rel>今年|本年|当年|明年|年内|年底前|年底)(?:\s*(?P<month>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月(?:份)?(?P<day>\d{1,2})?)?"
)
# 9月底前 / 6月30日前 with no year: in the document's year. A completion word is required, so that
# a month that only dates an event (3月召开) or a schedule is not read as a deadline.
MONTH_ONLY = re.compile(
    r"(?<![\d年一二三四五六七八九十每])(?P<month>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?:(?P<day>\d{1,2})\s*日|底|末|中旬|下旬)?\s*(?:前|以前|之前)"
)
_PERIOD_FIELD = re.compile(r"(?:时限|期限|年限)\s*[:：]\s*\d{4}\s*年?\s*[—\-~至到]+\s*(?P<end>\d{4})\s*年(?!\s*\d{1,2}\s*月)")
FIVE_YEAR = re.compile(r"[“\"]?(?P<plan>十[一二三四五六七八九]五)[”\"]?\s*(?:期间|时期|末|规划期|以来)?")
_FIVE_YEAR_END = {"十四五": 2025, "十五五": 2030, "十三五": 2020}
_RANGE_AFTER = re.compile(r"^\s*[—\-~至到]+\s*(?:\d{4}|20__)")
_RANGE_BEFORE = re.compile(r"(?:\d{4}|20__)\s*年?\s*[—\-~至到]+\s*$")
_BASELINE_AFTER = re.compile(r"^\s*(?:年\s*)?(?:的)?(?:基础上|基数|水平|为基|相比|同期|比较|相较)")
_BASELINE_BEFORE = re.compile(r"(?:较|比|相比|对比|与|以|在|同比|相对于|从|由)\s*$")  # 从2020年的20%提高到…
_RECURRING_BEFORE = re.compile(r"(?:每年|每季度?|每月|每半年|逐年|次年|当年)\s*$")


@dataclass
class TimeMention:
    start: int
    end: int
    date: str | None  # None for placeholders (20__年)
    recurring: bool = False


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _num(s: str | None) -> int | None:
    if not s:
        return None
    return int(s) if s.isdigit() else cn_to_int(s)


def _resolve(year: int, month: int | None, day: int | None, half: str | None) -> str | None:
    if month is not None:
        if not 1 <= month <= 12:
            return None
        if day is not None:
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                return None
            return f"{year:04d}-{month:02d}-{day:02d}"
        return _month_end(year, month)
    if half:
        quarter_end = {"上半年": 6, "下半年": 12, "一季度": 3, "二季度": 6, "三季度": 9, "四季度": 12}
        return _month_end(year, quarter_end[half.replace("第", "")])
    return f"{year:04d}-12-31"


def find_times(a: str, start: int, end: int, doc_year: int | None, masked=None) -> list[TimeMention]:
    """Time mentions in a[start:end]; `masked(i)` tells positions inside 《》 or quotes to skip."""
    seg = a[start:end]
    out: list[TimeMention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= ts or s >= te for ts, te in taken)

    for m in _PERIOD_FIELD.finditer(seg):  # 完成时限：2023—2025年 — the period ends with its last year
        s, e = start + m.start("end"), start + m.end()
        if free(s, e):
            out.append(TimeMention(s, e, f"{m.group('end')}-12-31"))
            taken.append((s, e))

    for m in ABSOLUTE.finditer(seg):
        s, e = start + m.start(), start + m.end()
        if masked is not None and masked(s):
            continue
        before, after = a[max(0, s - 12) : s], a[e : e + 8]
        if _RANGE_AFTER.match(a[start + m.start("year") + len(m.group("year")) : e + 8]) or _RANGE_BEFORE.search(before):
            taken.append((s, e))
            continue
        if (
            before.endswith(("(", "（"))
            and re.match(r"^[^)）]{0,6}[)）]", a[s : s + 20])
            and not m.group("tail")
        ):
            taken.append((s, e))  # (2023年) after a plan name
            continue
        if _BASELINE_AFTER.match(a[e : e + 8]) or (
            _BASELINE_BEFORE.search(before) and not re.search(r"(?:到|至|在|于)\s*$", before[-2:]) and "前" not in (m.group("tail") or "")
        ):
            if not re.search(r"(?:到|至|于)\s*$", before):
                taken.append((s, e))
                continue
        if after.startswith(("月", "日")):
            continue
        year_s = m.group("year")
        recurring = bool(_RECURRING_BEFORE.search(before))
        if "_" in year_s or (m.group("month") or "") == "__":
            out.append(TimeMention(s, e, None, recurring))
            taken.append((s, e))
            continue
        year = int(year_s) if year_s.isdigit() else cn_to_int(year_s)
        if year is None or not 1990 <= year <= 2100:
            continue
        if doc_year is not None and year < doc_year:
            taken.append((s, e))
            continue
        date = _resolve(year, _num(m.group("month")), _num(m.group("day")), m.group("half"))
        out.append(TimeMention(s, e, date, recurring))
        taken.append((s, e))

    for m in RELATIVE.finditer(seg):
        s, e = start + m.start(), start + m.end()
        if not free(s, e) or (masked is not None and masked(s)) or doc_year is None:
            continue
        rel = m.group("rel")
        if rel == "当年":
            continue  # 当年 in schedules means "that year", not the document's year
        before = a[max(0, s - 6) : s]
        year = doc_year + 1 if rel == "明年" else doc_year
        date = _resolve(year, _num(m.group("month")), _num(m.group("day")), None)
        out.append(TimeMention(s, e, date, bool(_RECURRING_BEFORE.search(before))))
        taken.append((s, e))

    for m in MONTH_ONLY.finditer(seg):
        s, e = start + m.start(), start + m.end()
        if not free(s, e) or (masked is not None and masked(s)) or doc_year is None:
            continue
        date = _resolve(doc_year, _num(m.group("month")), _num(m.group("day")), None)
        if date is None:
            continue
        out.append(TimeMention(s, e, date, bool(_RECURRING_BEFORE.search(a[max(0, s - 6) : s]))))
        taken.append((s, e))

    for m in FIVE_YEAR.finditer(seg):
        s, e = start + m.start(), start + m.end()
        if not free(s, e):
            continue
        year = _FIVE_YEAR_END.get(m.group("plan"))
        if year is None:
            continue
        if re.match(r"^\s*(?:规划|卫生|医疗|时期规划)", a[e : e + 4]) and "期间" not in m.group(0):
            continue  # 十四五规划: a plan's name
        out.append(TimeMention(s, e, f"{year}-12-31"))
        taken.append((s, e))

    out.sort(key=lambda t: t.start)
    return out


def latest(mentions: list[TimeMention]) -> str | None:
    dates = [t.date for t in mentions if t.date and not t.recurring]
    return max(dates) if dates else None
