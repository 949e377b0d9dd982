"""Web pages saved from government sites: the article, without the site's chrome."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from .spacing import CJK
from .tables import TableRow, render_table
from .text import decode, surely_utf8

_CHROME = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "button", "select",
           "input", "textarea", "svg", "template", "object", "embed", "canvas", "map")
# ids/classes of the article body in the content systems Chinese government sites run (TRS, UCAP …),
# most specific first.
_CONTAINERS = ("zoom", "ucap-content", "trs_editor", "pages_content", "article-content", "article_content",
               "article", "content", "main-content")
_BLOCKS = {"p", "div", "section", "article", "main", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
           "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "address", "center", "hr", "figure",
           "figcaption", "body", "html"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([-\w]+)", re.IGNORECASE)
_CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "cp950"}  # labels → supersets
_SOURCE_BREAK = re.compile(rf"(?<=[{CJK}])[ \t\f]*[\r\n]\s*(?=[{CJK}])")
_SKIPPED = (Comment, Declaration, Doctype, ProcessingInstruction)


def read_html(path: Path) -> str:
    soup = BeautifulSoup(_decode_html(path.read_bytes(), str(path)), "lxml")
    title = _article_title(soup)
    for tag in soup.find_all(_CHROME):
        tag.decompose()
    root = _main_container(soup) or soup.body or soup
    lines = _lines(root)
    if title and not any(title in line for line in lines[:5]):
        lines.insert(0, title)  # the title usually sits outside the article container
    return "\n".join(lines)


def _decode_html(data: bytes, name: str) -> str:
    """UTF-8 beyond doubt wins over the declared charset (a gb2312 label left on a page re-saved
    as UTF-8 is common); then the declaration; then detection as for .txt."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and (text := surely_utf8(data)) is not None:
        return text
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        label = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(_CHARSETS.get(label, label))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common: detect instead
    return decode(data, name)


def _article_title(soup: BeautifulSoup) -> str | None:
    meta = soup.find("meta", attrs={"name": re.compile(r"^articletitle$", re.IGNORECASE)})
    if isinstance(meta, Tag) and meta.get("content"):
        return _inline(str(meta["content"]))
    heading = soup.find("h1")
    return _inline(heading.get_text()) if heading else None


def _main_container(soup: BeautifulSoup) -> Tag | None:
    for name in _CONTAINERS:
        found = soup.find_all(
            lambda tag, name=name: tag.get("id", "").lower() == name
            or name in (c.lower() for c in tag.get("class", []))
            or (name == "article" and tag.name == "article")
        )
        best = max(found, key=lambda tag: len(tag.get_text(strip=True)), default=None)
        if best is not None and len(best.get_text(strip=True)) >= 50:
            return best
    return None


def _lines(node: Tag) -> list[str]:
    lines: list[str] = []
    buffer: list[str] = []
    _walk(node, lines, buffer)
    _flush(lines, buffer)
    return lines


def _walk(node: Tag, lines: list[str], buffer: list[str]) -> None:
    """Collect the lines under `node`: block elements and <br> end a line."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, _SKIPPED):
                buffer.append(str(child))
        elif child.name == "br":
            _flush(lines, buffer)
        elif child.name == "table" and _is_data_table(child):
            _flush(lines, buffer)
            lines.extend(render_table(_table_rows(child)))
        elif child.name in _BLOCKS:
            _flush(lines, buffer)
            _walk(child, lines, buffer)
            _flush(lines, buffer)
        else:
            _walk(child, lines, buffer)


def _flush(lines: list[str], buffer: list[str]) -> None:
    if line := _inline("".join(buffer)):
        lines.append(line)
    buffer.clear()


def _inline(text: str) -> str:
    """HTML whitespace rules, except that a source line break inside Chinese text is no space."""
    return re.sub(r"[ \t\r\n\f\u00a0]+", " ", _SOURCE_BREAK.sub("", text)).strip()  # &nbsp; is a space


def _is_data_table(table: Tag) -> bool:
    """Old sites lay pages out with tables: one with nested tables or a single column is layout."""
    if table.find("table"):
        return False
    return any(len(tr.find_all(["td", "th"], recursive=False)) > 1 for tr in table.find_all("tr"))


def _table_rows(table: Tag) -> list[TableRow]:
    rows: list[TableRow] = []
    spans: dict[int, list] = {}  # spans: column → [text, rows still covered] for rowspan cells from above
    for tr in table.find_all("tr"):
        cells: list[str] = []
        distinct: list[str] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            _fill_spans(cells, spans)
            text = "\n".join(_lines(td))
            distinct.append(text)
            rowspan = _span(td.get("rowspan"))
            for _ in range(_span(td.get("colspan"))):
                if rowspan > 1:
                    spans[len(cells)] = [text, rowspan - 1]
                cells.append(text)
        _fill_spans(cells, spans)
        rows.append(TableRow(cells, distinct))
    return rows


def _fill_spans(cells: list[str], spans: dict[int, list]) -> None:
    """Repeat the text of cells merged down from rows above into this row's grid."""
    while len(cells) in spans:
        column = len(cells)
        cells.append(spans[column][0])
        spans[column][1] -= 1
        if spans[column][1] == 0:
            del spans[column]


def _span(value: object) -> int:
    try:
        return min(max(int(str(value).strip()), 1), 100)
    except ValueError:
        return 1
