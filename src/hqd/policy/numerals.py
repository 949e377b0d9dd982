"""Chinese and Arabic numerals as they appear in plans: 十大, 两所, 一百, 4.78, 1/3, 2—3."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万"


def cn_to_int(s: str) -> int | None:
    """一百二十 → 120, 十五 → 15. A bare 百/千/万 is a word (百人, 千人), not a number: None."""
    if not s or any(c not in _DIGITS and c not in _UNITS for c in s):
        return None
    if s[0] in "百千万":
        return None
    if all(c in _DIGITS for c in s):  # 二〇二五 style digit strings
        return int("".join(str(_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            unit = _UNITS[c]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def parse_number(s: str) -> float | None:
    s = s.strip()
    try:
        return float(s)
    except ValueError:
        n = cn_to_int(s)
        return float(n) if n is not None else None
