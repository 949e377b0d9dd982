"""PDF (text layer only): lines joined back into paragraphs, page furniture removed."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfplumber.page import Page
from pdfplumber.table import Table as PdfTable
from pdfplumber.utils.exceptions import PdfminerException

from ..errors import PolicyInputError
from .spacing import ENDS_PARAGRAPH as _ENDS_PARAGRAPH
from .spacing import OUTLINE_MARKER as _OUTLINE_MARKER
from .spacing import PAGE_MARKER as _PAGE_MARKER
from .spacing import fix_radicals, join_lines, remove_cjk_spaces
from .tables import TableRow, render_table

_CLOSING = re.compile(r"[）)\]】〕]$")
_CID = re.compile(r"\(cid:\d+\)")
_OPEN, _CLOSE = "（([【〔", "）)]】〕"
Box = tuple[float, float, float, float]  # x0, top, x1, bottom
_EDGE = 2  # lines at the top and at the bottom of a page where headers, footers and page numbers sit


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    size: float  # font size: about one Chinese character's width


@dataclass
class _Table:
    rows: list[TableRow]


def read_pdf(path: Path) -> tuple[str, list[str]]:
    """The text, and warnings (scanned pages among text pages)."""
    name = str(path)
    try:
        with pdfplumber.open(path) as pdf:
            pages = [_page_items(page) for page in pdf.pages]
            widths = [float(page.width) for page in pdf.pages]
            scanned = [n for n, (page, items) in enumerate(zip(pdf.pages, pages, strict=True), 1)
                       if not items and page.images]
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFEncryptionError):
            raise PolicyInputError(name, "文件已加密，无法读取；请去除打开密码后再导入") from None
        raise PolicyInputError(name, "文件已损坏或不是有效的 PDF") from None
    except Exception:  # pdfminer raises many kinds of errors on broken files
        raise PolicyInputError(name, "文件已损坏或不是有效的 PDF") from None
    if not pages:
        raise PolicyInputError(name, "文件已损坏或不是有效的 PDF")
    if not any(pages):
        raise PolicyInputError(name, "没有可提取的文本层（可能是扫描件），请先进行文字识别")
    text, warnings = _drop_undecodable(name, "\n".join(_document_lines(_strip_furniture(pages), widths)))
    if scanned:  # an image and no text: a scanned page (a page with neither is just blank)
        listed = "、".join(str(n) for n in scanned[:10]) + ("等" if len(scanned) > 10 else "")
        warnings.append(f"第 {listed} 页只有图像、没有文本层（可能是扫描页），这些页的内容未读取")
    return text, warnings


def _drop_undecodable(name: str, text: str) -> tuple[str, list[str]]:
    """pdfminer writes (cid:123) for glyphs whose font has no Unicode mapping (common with
    embedded 仿宋_GB2312 subsets). A few are dropped with a warning; many make the text useless."""
    count = len(_CID.findall(text))
    if not count:
        return text, []
    kept = _CID.sub("", text)
    if count > len(re.sub(r"\s", "", kept)) / 4:
        raise PolicyInputError(name, "PDF 的文字无法解码（字体缺少编码映射），请先进行文字识别或提供原始 Word 文件")
    return kept, [f"有 {count} 个字符无法从 PDF 解码，已略去，请核对原文"]


def _page_items(page: Page) -> list[_Line | _Table]:
    """Text lines and ruled tables of a page, top to bottom. A single ruled box is a frame around
    the text (a border, a boxed note), not a table."""
    tables = [table for table in page.find_tables() if len(table.rows) > 1 and len(table.columns) > 1]
    boxes = [table.bbox for table in tables]
    text_page = page.filter(lambda obj: not _inside(obj, boxes)) if boxes else page
    placed: list[tuple[float, _Line | _Table]] = [(top, line) for top, line in _lines(text_page)]
    placed += [(table.bbox[1], _Table(_table_rows(page, table))) for table in tables]
    return [item for _, item in sorted(placed, key=lambda pair: pair[0])]


def _lines(page: Page) -> list[tuple[float, _Line]]:
    lines = []
    for line in page.extract_text_lines(strip=True, return_chars=True):
        text = fix_radicals(remove_cjk_spaces(line["text"].strip()))
        if text:
            size = median(c["size"] for c in line["chars"]) if line["chars"] else 10.0
            lines.append((line["top"], _Line(text, line["x0"], line["x1"], size)))
    return lines


def _inside(obj: dict, boxes: list[Box]) -> bool:
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _table_rows(page: Page, table: PdfTable) -> list[TableRow]:
    """Rows in grid form; pdfplumber marks the positions a merged cell covers with None."""
    rows: list[TableRow] = []
    above: dict[int, tuple[Box, str]] = {}  # column → (bbox, text) of the last cell seen there
    for row in table.rows:
        cells: list[str] = []
        distinct: list[str] = []
        for column, bbox in enumerate(row.cells):
            if bbox is not None:
                text = _cell_text(page, bbox)
                distinct.append(text)
            elif column in above and above[column][0][3] > row.bbox[1] + 1:
                bbox, text = above[column]  # merged down from the row above
            else:  # merged from the left: the neighbour was just recorded for this row
                bbox, text = above.get(column - 1, ((0.0, 0.0, 0.0, 0.0), ""))
            above[column] = (bbox, text)
            cells.append(text)
        rows.append(TableRow(cells, distinct))
    return rows


def _cell_text(page: Page, bbox: Box) -> str:
    """A cell's paragraphs, one per line: wrapped lines fill the cell, a paragraph's last line does not."""
    lines = [line for _, line in _lines(page.crop(bbox))]
    paragraphs, current = [], []
    for line in lines:
        current.append(line.text)
        if line.x1 < bbox[2] - 2 * line.size or (_brackets_closed(current) and _ENDS_PARAGRAPH.search(line.text)):
            paragraphs.append(join_lines(current))
            current = []
    if current:
        paragraphs.append(join_lines(current))
    return "\n".join(paragraphs)


def _strip_furniture(pages: list[list[_Line | _Table]]) -> list[list[_Line | _Table]]:
    """Drop page numbers and running headers/footers (the same line at the edge of most pages)."""
    pages = [_drop_edges(items, lambda text: bool(_PAGE_MARKER.match(text))) for items in pages]
    if len(pages) < 2:
        return pages
    seen = Counter(
        key for items in pages
        for key in {_furniture_key(items[i].text) for i in _edge_indices(len(items)) if isinstance(items[i], _Line)}
    )
    needed = max(2, round(0.4 * sum(1 for items in pages if items)))  # 0.4: odd and even pages may differ
    repeated = {key for key, count in seen.items() if count >= needed}
    return [_drop_edges(items, lambda text: _furniture_key(text) in repeated) for items in pages]


def _edge_indices(count: int) -> set[int]:
    return set(range(min(_EDGE, count))) | set(range(max(0, count - _EDGE), count))


def _drop_edges(items: list[_Line | _Table], is_furniture: Callable[[str], bool]) -> list[_Line | _Table]:
    edge = _edge_indices(len(items))
    return [
        item for i, item in enumerate(items)
        if not (i in edge and isinstance(item, _Line) and is_furniture(item.text))
    ]


def _furniture_key(text: str) -> str:
    """Page numbers inside a running header differ from page to page."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _document_lines(pages: list[list[_Line | _Table]], widths: list[float]) -> list[str]:
    """Paragraphs across pages; a table that runs on over a page break is read as one table."""
    lines = [item for items in pages for item in items if isinstance(item, _Line)]
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0] if lines else 0
    # Where paragraphs are indented, the indent marks where they start, and a sentence ending
    # at the right margin says nothing; otherwise sentence-final punctuation ends a paragraph.
    indented = sum(1 for line in lines if _indented(line, left))
    sentence_ends = sum(1 for line in lines if _ENDS_PARAGRAPH.search(line.text))
    by_punctuation = indented < max(3, sentence_ends // 2)
    out: list[str | _Table] = []
    current: list[str] = []
    state = "end"

    def flush() -> None:
        if current:
            out.append(join_lines(current))
            current.clear()

    for items, width in zip(pages, widths, strict=True):
        page_lines = [item for item in items if isinstance(item, _Line)]
        right = _typical_right(page_lines if len(page_lines) >= 8 else lines, width - left)
        for item in items:
            if isinstance(item, _Table):
                flush()
                if out and isinstance(out[-1], _Table) and _continues(out[-1], item):
                    continue
                out.append(item)
                continue
            if _breaks_before(item, state, left, by_punctuation):
                flush()
            current.append(item.text)
            state = _line_end(item, current, left, right, by_punctuation)
            if state == "end":
                flush()
    flush()
    return [line for part in out for line in (render_table(part.rows) if isinstance(part, _Table) else [part])]


def _line_end(line: _Line, paragraph: list[str], left: float, right: float, by_punctuation: bool) -> str:
    """How the paragraph stands after this line.

    end: it ends here. wrap: the line fills the width unfinished, so the next line goes on with
    it (even a centred one: a wrapped title). margin: a sentence ends right at the margin, so the
    next line decides. open: anything else.
    """
    full = line.x1 >= right - 1.5 * line.size
    if not _brackets_closed(paragraph):  # inside （…）: only a line short of half the width ends it
        return "end" if line.x1 < (left + right) / 2 else "wrap" if full else "open"
    if _short(line, left, right, by_punctuation) or (_indented(line, left) and line.x1 < right - 3 * line.size):
        return "end"  # a short line; or an indented one that falls short: centred or right-aligned
    finished = bool(_ENDS_PARAGRAPH.search(line.text) or _CLOSING.search(line.text))
    if not finished:
        return "wrap" if full else "open"
    return "margin" if full else "end"


def _breaks_before(line: _Line, state: str, left: float, by_punctuation: bool) -> bool:
    if state in ("end", "wrap"):
        return False
    if state == "margin" and line.text[0] in "（(" and not _OUTLINE_MARKER.match(line.text):
        return False  # …投入使用。（责任单位：…）: the task's units follow its last sentence
    if _starts_paragraph(line, left):
        return True
    return state == "margin" and by_punctuation


def _continues(table: _Table, part: _Table) -> bool:
    """Append `part` (the next page's table) to `table` when it has the same columns.

    A row broken by the page starts with an empty first cell (序号 or 任务 stayed above): its cells
    are joined to the previous row's.
    """
    last, first = table.rows[-1], part.rows[0]
    if len(last.cells) != len(first.cells):
        return False
    rows = part.rows
    if not first.cells[0] and len(first.distinct) > 1:
        merged = [join_lines([a, b]) for a, b in zip(last.cells, first.cells, strict=True)]
        table.rows[-1] = TableRow(merged, [text for text in dict.fromkeys(merged)])
        rows = rows[1:]
    table.rows.extend(rows)
    return True


def _typical_right(lines: list[_Line], mirrored_margin: float) -> float:
    """Where full lines end. Too few lines to tell: assume the right margin mirrors the left."""
    ends = sorted(line.x1 for line in lines)
    typical = ends[int(0.9 * (len(ends) - 1))] if ends else 0.0
    return typical if len(ends) >= 8 else max(typical, mirrored_margin)


def _short(line: _Line, left: float, right: float, by_punctuation: bool) -> bool:
    """Clearly shorter than a full line. Ragged right margins leave full lines up to ~3 characters
    short; with indented paragraphs only a line short of half the width must end one by its length."""
    return line.x1 < (right - 3 * line.size if by_punctuation else (left + right) / 2)


def _brackets_closed(paragraph: list[str]) -> bool:
    text = "".join(paragraph)
    return sum(text.count(c) for c in _OPEN) <= sum(text.count(c) for c in _CLOSE)


def _starts_paragraph(line: _Line, left: float) -> bool:
    """An outline marker, or a first-line indent (Chinese paragraphs are indented two characters)."""
    return bool(_OUTLINE_MARKER.match(line.text)) or _indented(line, left)


def _indented(line: _Line, left: float) -> bool:
    return line.x0 > left + 1.5 * line.size
