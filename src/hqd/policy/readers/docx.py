"""Word .docx: paragraphs and tables in document order, one paragraph per line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from ..errors import PolicyInputError
from .numbering import ListNumbers
from .tables import TableRow, render_table

_TEXT = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}
# Text boxes are not part of the paragraph's line; mc:Fallback repeats mc:Choice for old readers.
_NOT_INLINE = {qn("w:txbxContent"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def read_docx(path: Path, name: str | None = None) -> str:
    """The document's text; `name` is the file named in errors (a converted copy reports its source)."""
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError):
        raise PolicyInputError(name or str(path), "文件已损坏或不是有效的 Word（.docx）文档") from None
    return "\n".join(_block_lines(document.element.body, document, ListNumbers(document)))


def _block_lines(parent: BaseOxmlElement, document: Document, numbers: ListNumbers) -> list[str]:
    lines: list[str] = []
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            label = numbers.label(Paragraph(child, document))  # an empty numbered paragraph still counts
            text = paragraph_text(child).strip()
            text = label + text if text else ""
            lines.extend(line.strip() for line in text.split("\n"))
        elif child.tag == qn("w:tbl"):
            lines.extend(render_table(_table_rows(Table(child, document))))
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            lines.extend(_block_lines(child, document, numbers))  # content controls wrap ordinary paragraphs
    return [line for line in lines if line]


def paragraph_text(p: BaseOxmlElement) -> str:
    """The text of a <w:p> as Word shows it, including runs that python-docx's Paragraph.text
    skips: tracked insertions (w:ins), inline content controls, smart tags, simple fields.
    Deleted text is w:delText and field codes are w:instrText, so neither is read."""
    parts = []
    for node in p.iter(*_TEXT):
        if any(ancestor.tag in _NOT_INLINE for ancestor in node.iterancestors()):
            continue
        if node.tag == qn("w:br") and node.get(qn("w:type")) in ("page", "column"):
            continue
        parts.append(node.text or "" if node.tag == qn("w:t") else _TEXT[node.tag])
    return "".join(parts)


def _table_rows(table: Table) -> list[TableRow]:
    texts: dict[object, str] = {}  # a merged cell is one <w:tc>: read it once (keys keep lxml proxies alive)
    rows = []
    for row in table.rows:
        cells, distinct, seen = [], [], set()
        for cell in row.cells:  # python-docx repeats spanned cells and resolves vertical merges
            key = cell._tc
            if key not in texts:
                texts[key] = "\n".join(paragraph_text(p).strip() for p in cell._tc.iter(qn("w:p")))
            cells.append(texts[key])
            if key not in seen and cell._tc.getparent() is row._tr:
                distinct.append(texts[key])
            seen.add(key)
        rows.append(TableRow(cells, distinct))
    return rows
