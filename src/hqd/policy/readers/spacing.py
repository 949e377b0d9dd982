"""Whitespace repair shared by the readers: joining wrapped lines, dropping stray CJK spaces."""

from __future__ import annotations

import re
import unicodedata

# Ideographs, CJK punctuation, kana, full-width forms and the quotes/dashes used in Chinese text.
CJK = (
    "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff01-\uffee\u201c\u201d\u2018\u2019\u2014\u2026\u00b7"
)
# Justified lines stretch the gaps between characters, and extraction reads wide gaps as spaces.
_STRAY_SPACE = re.compile(
    rf"(?<=[{CJK}])[ \t\u3000\u00a0]+(?=[{CJK}A-Za-z0-9%])|(?<=[{CJK}A-Za-z0-9%])[ \t\u3000\u00a0]+(?=[{CJK}])"
)
# Kangxi radicals (U+2F00…) that some PDF fonts map instead of the ordinary ideograph (⼀ for 一).
_RADICALS = re.compile("[\u2e80-\u2fdf]")


def remove_cjk_spaces(line: str) -> str:
    """Drop spaces that text extraction put between Chinese characters, or between one and a
    Latin letter or digit (Chinese official text does not space them)."""
    return _STRAY_SPACE.sub("", line)


def fix_radicals(text: str) -> str:
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def join_lines(parts: list[str]) -> str:
    """Join the pieces of one paragraph: no space in Chinese text, one space between Latin words."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out
