"""A small, fast reader of cell values from xlsx files (zip + lxml), for bulk template import.

openpyxl builds rich-text and style objects for every cell it reads; reading a quarter's
templates for thousands of orgs spends most of its time there. This reader returns plain values
(numbers as float, text as str, booleans as bool, error cells as their text such as "#DIV/0!")
for the first `max_col` columns of every sheet, in workbook order.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from hqd.store.errors import StoreError

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_V = f"{NS}v"
_IS = f"{NS}is"


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_T = f"{NS}t"


def _text(el) -> str:
    """Concatenated <t> text of a shared/inline string, without phonetic runs."""
    if len(el) == 1 and el[0].tag == _T:  # the plain case: one <t>
        return el[0].text or ""
    parts = [t.text or "" for t in el.iter(f"{NS}t") if t.getparent().tag != f"{NS}rPh"]
    return "".join(parts)


def _shared_strings(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    out: list[str] = []
    with zf.open("xl/sharedStrings.xml") as f:
        for _, si in etree.iterparse(f, events=("end",), tag=f"{NS}si"):
            out.append(_text(si))
            si.clear()
    return out


def _sheet_paths(zf: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    """(name, state, zip path) of every sheet in workbook order."""
    wb = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{PKG_REL}Relationship")}
    out = []
    for sheet in wb.iter(f"{NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out.append((sheet.get("name"), sheet.get("state") or "visible", path))
    return out


def iter_sheets(path: Path, max_col: int = 6) -> Iterator[tuple[str, list[list[Any]]]]:
    """(sheet name, rows) for every sheet; rows[i] is row i+1, each a list of `max_col` values."""
    from hqd.zipguard import zip_problem

    if problem := zip_problem(path):
        raise StoreError(f"文件 {path.name}：{problem}，未读取")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise StoreError(f"文件 {path.name}：不是有效的 xlsx 文件（{type(exc).__name__}）") from exc
    with zf:
        names = set(zf.namelist())
        try:
            strings = _shared_strings(zf, names)
            sheets = _sheet_paths(zf)
        except (KeyError, etree.XMLSyntaxError) as exc:
            raise StoreError(f"文件 {path.name}：不是有效的 xlsx 文件（{type(exc).__name__}）") from exc
        for name, _state, sheet_path in sheets:
            if sheet_path not in names:
                raise StoreError(f"文件 {path.name}：工作表“{name}”缺失，文件可能已损坏")
            rows: list[list[Any]] = []
            with zf.open(sheet_path) as f:
                try:
                    for _, row in etree.iterparse(f, events=("end",), tag=f"{NS}row"):
                        r_attr = row.get("r")
                        r = int(r_attr) if r_attr else len(rows) + 1
                        while len(rows) < r - 1:
                            rows.append([None] * max_col)
                        values: list[Any] = [None] * max_col
                        col = -1
                        for c in row:
                            ref = c.get("r")
                            col = _col_index(ref.rstrip("0123456789")) if ref else col + 1
                            if col >= max_col:
                                continue
                            t = c.get("t")
                            v = None
                            for child in c:
                                if child.tag == _V:
                                    v = child.text
                                elif child.tag == _IS:
                                    v = _text(child)
                            if t == "inlineStr":
                                values[col] = v or ""
                                continue
                            if v is None:
                                continue
                            if t == "s":
                                values[col] = strings[int(v)]
                            elif t in ("str", "e", "d"):
                                values[col] = v
                            elif t == "b":
                                values[col] = v == "1"
                            else:
                                values[col] = float(v)
                        rows.append(values)
                        row.clear()
                except etree.XMLSyntaxError as exc:
                    raise StoreError(f"文件 {path.name} 工作表 {name}：内容损坏（{exc}）") from exc
            yield name, rows
