"""How ledger values read in reports and tables: 二(一)3, ≥65%, 2—3个, 减少30%."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

COMPARATOR_NAMES = {">=": "不低于", "<=": "不高于", "=": "等于", "~": "约", ">": "高于", "<": "低于",
                    "range": "区间", "increase": "提高", "decrease": "降低"}
_SIGNS = {">=": "≥", "<=": "≤", "~": "≈", "=": "", ">": "＞", "<": "＜", "increase": "提高", "decrease": "减少"}


def task_number(path: list[str]) -> str:
    """The outline path as plans write it: ["二", "(一)", "3"] → 二(一)3."""
    return "".join(path)


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.10g}"


def target_value(target: dict[str, Any]) -> str:
    """A target's comparator, value and unit as one readable string."""
    value, high, unit = target.get("value"), target.get("value_high"), target.get("unit") or ""
    if value is None:
        return ""
    if unit == "fraction":  # 1/3 is stored as 0.3333
        shown, unit = str(Fraction(float(value)).limit_denominator(20)), ""
    elif unit == "1:N":  # a ratio 1：N is stored as N
        shown, unit = f"1:{number(value)}", ""
    else:
        shown = number(value)
    comparator = target.get("comparator") or "="
    if comparator == "range" and high is not None:
        return f"{shown}—{number(high)}{unit}"
    return f"{_SIGNS.get(comparator, comparator)}{shown}{unit}"


def baseline_value(target: dict[str, Any]) -> str:
    """The stated baseline of a 从X提高到Y target, with its year when stated: 20%（2022年）; for a change
    from a base year (较2022年提高…) the year alone: 2022年水平."""
    if target.get("baseline") is None:
        return f"{target['baseline_period']}年水平" if target.get("baseline_period") else ""
    shown = target_value({"comparator": "=", "value": target["baseline"], "unit": target.get("unit")})
    return f"{shown}（{target['baseline_period']}年）" if target.get("baseline_period") else shown
