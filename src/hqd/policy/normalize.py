"""Analysis form of a document: simplified script, half-width punctuation, same length as the source.

Every rule runs on the analysis text, and every string it reports is sliced from the source text
at the same offsets, so output stays exactly as written (traditional script, full-width brackets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Full-width ASCII variants (！ to ～) and the ideographic space fold to their half-width forms.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x3010: ord("["), 0x3011: ord("]"), 0x2013: ord("—"), 0xFE4F: ord("_")})


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified, keeping the length: line by line, char by char where a phrase changes length."""
    cc = _t2s()
    out = []
    for line in text.split("\n"):
        conv = cc.convert(line)
        if len(conv) != len(line):
            conv = "".join(c2 if len(c2 := cc.convert(ch)) == 1 else ch for ch in line)
        out.append(conv)
    return "\n".join(out)


def fold_width(text: str) -> str:
    return text.translate(_WIDTH)


def analysis_text(text: str) -> str:
    return fold_width(to_simplified(text))


def simplified(text: str) -> str:
    """The simplified form of a string for output keys such as `indicator_simplified`."""
    return to_simplified(text)


@dataclass(frozen=True)
class Line:
    start: int  # offset of the first non-space character
    end: int  # offset just past the last non-space character
    text: str  # analysis text of the stripped line

    @property
    def blank(self) -> bool:
        return self.start >= self.end


_LINE = re.compile(r"[^\n]*")


def split_lines(a: str) -> list[Line]:
    lines = []
    for m in _LINE.finditer(a):
        if m.start() and m.start() == m.end() and a[m.start() - 1 : m.start()] != "\n":
            continue  # finditer's empty match right after a non-empty one
        s, e = m.start(), m.end()
        while s < e and a[s] in " \t\r\u00a0":
            s += 1
        while e > s and a[e - 1] in " \t\r\u00a0":
            e -= 1
        lines.append(Line(s, e, a[s:e]))
    return lines
