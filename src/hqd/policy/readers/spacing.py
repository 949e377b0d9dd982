"""Whitespace repair shared by the readers: joining wrapped lines, dropping stray CJK spaces."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from statistics import median

# Ideographs, CJK punctuation, kana, full-width forms and the quotes/dashes used in Chinese text.
CJK = (
    "\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff01-\uffee\u201c\u201d\u2018\u2019\u2014\u2026\u00b7"
)
# Justified lines stretch the gaps between characters, and extraction reads wide gaps as spaces.
_STRAY_SPACE = re.compile(
    rf"(?<=[{CJK}])[ \t\u3000\u00a0]+(?=[{CJK}A-Za-z0-9%])|(?<=[{CJK}A-Za-z0-9%])[ \t\u3000\u00a0]+(?=[{CJK}])"
)
# Page numbers (— 3 —, 第3页 共9页), a line that ends a paragraph, and an outline marker starting one.
PAGE_MARKER = re.compile(
    r"^(?:[-—–－─~\s]*\d+[-—–－─~\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
ENDS_PARAGRAPH = re.compile(r"[。；：！？;:!?][”’）)\]】》」』]*$")
OUTLINE_MARKER = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇]+[章节条部分步]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d+[.．、](?!\d)|[（(]\d+[）)]|[①-⑳])"
)
# A field line such as 责任单位：A、B or 完成时限：2025年底 is whole however it ends
_FIELD = re.compile(r"^[^，。,：:\s]{2,8}[：:]")
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


def unwrap_hard_wraps(text: str) -> str:
    """Text copied out of a PDF, its lines broken every 30-odd characters mid-sentence (市财|政局),
    with page numbers and running headers between pages: the furniture dropped and each paragraph's
    lines joined. Text that is not so wrapped comes back unchanged."""
    lines = [ln.strip() for ln in text.split("\n")]
    content = [ln for ln in lines if ln and "\t" not in ln]
    following = {}  # an unfinished line → whether the next line goes on with its sentence
    for k, ln in enumerate(lines):
        if len(ln) >= 15 and "\t" not in ln and not ENDS_PARAGRAPH.search(ln) and not _FIELD.match(ln):
            nxt = next((x for x in lines[k + 1 :] if x), "")
            following[k] = bool(nxt) and "\t" not in nxt and not OUTLINE_MARKER.match(nxt) and not _FIELD.match(nxt)
    open_ends = [lines[k] for k in following]
    if len(content) < 8 or len(open_ends) < max(5, 0.3 * len(content)):
        return text
    if sum(following.values()) < 0.6 * len(following):
        return text  # unfinished lines are headings and field lines (责任单位：…), not broken sentences
    width = median(len(ln) for ln in open_ends)
    # GB/T 9704 sets 28 characters a line; a list of names is narrower and ragged on its own
    if width < 22 or sum(abs(len(ln) - width) <= 4 for ln in open_ends) < 0.6 * len(open_ends):
        return text  # lines of every length: paragraphs written one per line, not wrapped
    kept = _without_page_furniture(lines)
    out: list[str] = []
    paragraph: list[str] = []
    for ln in kept:
        open_ = paragraph and not ENDS_PARAGRAPH.search(paragraph[-1]) and len(paragraph[-1]) >= width - 6
        if open_ and not ln:
            continue  # a blank line where a page broke a paragraph
        if open_ and "\t" not in ln and not OUTLINE_MARKER.match(ln):
            paragraph.append(ln)
            continue
        if paragraph:
            out.append(join_lines(paragraph))
        paragraph = [ln] if ln else []
        if not ln:
            out.append("")
    if paragraph:
        out.append(join_lines(paragraph))
    return "\n".join(out)


def _without_page_furniture(lines: list[str]) -> list[str]:
    """Lines without page numbers, nor the running headers and footers beside them (a line that
    recurs next to page numbers)."""
    marks = [i for i, ln in enumerate(lines) if ln and PAGE_MARKER.match(ln)]
    beside = Counter()
    for i in marks:
        for k in (i - 2, i - 1, i + 1, i + 2):
            if 0 <= k < len(lines) and lines[k] and not PAGE_MARKER.match(lines[k]):
                beside[lines[k]] += 1
    furniture = {ln for ln, n in beside.items() if n >= 2 and len(ln) <= 40}
    drop = set(marks)
    for i in marks:
        for k in (i - 2, i - 1, i + 1, i + 2):
            if 0 <= k < len(lines) and lines[k] in furniture:
                drop.add(k)
    return [ln for i, ln in enumerate(lines) if i not in drop]
