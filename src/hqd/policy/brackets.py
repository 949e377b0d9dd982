"""Bracket-aware scanning: official text nests ( [ 〔 freely, as in 各区、县(市)政府 or 省卫生健康委〔省中医药局〕."""

from __future__ import annotations

import re

OPEN, CLOSE = "([〔", ")]〕"
_BRACKET = re.compile(r"[(\[〔)\]〕]")


def bracket_spans(a: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level bracketed spans (inclusive of brackets) in a[start:end], nesting ( [ 〔 as one family."""
    spans, depth, open_at = [], 0, -1
    for m in _BRACKET.finditer(a, start, end):
        i, c = m.start(), m.group()
        if c in OPEN:
            if depth == 0:
                open_at = i
            depth += 1
        elif c in CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((open_at, i + 1))
    return spans


_SPLITTERS: dict[str, re.Pattern[str]] = {}


def split_top(a: str, start: int, end: int, seps: str) -> list[tuple[int, int]]:
    """Split a[start:end] on separator characters outside brackets."""
    parts, depth, s = [], 0, start
    pattern = _SPLITTERS.get(seps) or _SPLITTERS.setdefault(seps, re.compile(f"[(\\[〔)\\]〕{re.escape(seps)}]"))
    for m in pattern.finditer(a, start, end):
        i, c = m.start(), m.group()
        if c in OPEN:
            depth += 1
        elif c in CLOSE and depth:
            depth -= 1
        elif depth == 0 and c in seps:
            parts.append((s, i))
            s = i + 1
    parts.append((s, end))
    return parts


def inside_brackets(a: str, i: int) -> bool:
    """True when position i sits inside brackets opened earlier on its line."""
    line_start = a.rfind("\n", 0, i) + 1
    depth = 0
    for m in _BRACKET.finditer(a, line_start, i):
        if m.group() in OPEN:
            depth += 1
        elif depth:
            depth -= 1
    return depth > 0
