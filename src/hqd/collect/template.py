"""Excel templates (填报模板): one sheet per org, locked headers, units, number validation, last period's value.

Sheet layout (read back by hqd.collect.importer):
  row 1  title;  row 2 机构代码 | code | 机构名称 | name;  row 3 期间 | period | 上报截止 | date
  row 4  数据集 | code;  row 6 header;  rows 7… one data element per row:
  A 数据项代码 | B 数据项名称 | C 单位 | D 本期数值 (entry) | E 上期数值（参考） | F 备注 (entry)
  G (hidden) the version of the stored value when the template was made: on import, a value that
  somebody changed in the meantime is reported as a conflict instead of being overwritten.
Only D and F are unlocked; the sheet is protected (no password) so headers and codes stay intact.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from hqd.store.errors import StoreError
from hqd.store.models import DataSet, DataSetOrg, Org, Period
from hqd.store.periods import TYPE_NAMES, parse_period, previous
from hqd.store.values import values_for

from .datasets import get_data_set

META_SHEET = "_hqd"
GUIDE_SHEET = "填报说明"
HEADER_ROW = 6
FIRST_ROW = 7
HEADERS = ["数据项代码", "数据项名称", "单位", "本期数值", "上期数值（参考）", "备注"]
VALUE_COL, NOTE_COL, VERSION_COL = "D", "F", "G"
MARK = "hqd-collect-template"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_ENTRY_FILL = PatternFill("solid", fgColor="FFF2CC")
_REF_FONT = Font(color="808080")


def sheet_title(code: str) -> str:
    return _BAD_TITLE.sub("_", code)[:31]


def _check_period(ds: DataSet, period: str) -> str:
    spec = parse_period(period)
    if spec.type != ds.period_type:
        raise StoreError(
            f"数据集“{ds.code}”按{TYPE_NAMES[ds.period_type]}填报，期间“{period}”是{TYPE_NAMES[spec.type]}"
        )
    return spec.code


def _orgs(session: Session, ds: DataSet, org: str | None) -> list[Org]:
    q = select(Org).join(DataSetOrg, DataSetOrg.org_id == Org.id).where(DataSetOrg.data_set_id == ds.id)
    if org:
        found = session.scalar(q.where(Org.code == org))
        if found is None:
            if session.scalar(select(Org).where(Org.code == org)) is None:
                raise StoreError(f"机构代码“{org}”不存在")
            raise StoreError(f"机构“{org}”未分配到数据集“{ds.code}”")
        return [found]
    orgs = list(session.scalars(q.order_by(Org.code)))
    if not orgs:
        raise StoreError(f"数据集“{ds.code}”还没有分配任何机构")
    return orgs


def current_versions(session: Session, ds: DataSet, period_id: int | None, org_ids: list[int]) -> dict:
    """(org_id, element_id) → version of the stored values of one period."""
    if period_id is None:
        return {}
    from hqd.store.models import DataSetElement, DataValue

    q = select(DataValue.org_id, DataValue.data_element_id, DataValue.version).where(
        DataValue.period_id == period_id,
        DataValue.data_element_id.in_(select(DataSetElement.data_element_id).where(
            DataSetElement.data_set_id == ds.id)))
    wanted = set(org_ids)
    return {(o, e): v for o, e, v in session.execute(q) if o in wanted}


def write_templates(
    session: Session, dataset: str, period: str, out: Path, *, org: str | None = None, split: bool = False
) -> list[Path]:
    """Write the template: one workbook with a sheet per org, or (`split`) one workbook per org in `out`."""
    ds = get_data_set(session, dataset)
    pcode = _check_period(ds, period)
    orgs = _orgs(session, ds, org)
    elements = [dse.element for dse in ds.elements]
    prev_code = previous(pcode)
    pids = {p.code: p.id for p in session.scalars(select(Period).where(Period.code.in_([pcode, prev_code])))}
    org_ids = [o.id for o in orgs]
    stored = values_for(session, data_set=ds, period_ids=list(pids.values()), org_ids=org_ids) if pids else {}
    versions = current_versions(session, ds, pids.get(pcode), org_ids)
    spec = parse_period(pcode)
    due = spec.end + timedelta(days=ds.timely_days)
    closes = spec.end + timedelta(days=ds.expiry_days) if ds.expiry_days is not None else None

    def cur(o: Org, e_id: int, code: str) -> float | None:
        pid = pids.get(code)
        return stored.get((o.id, e_id, pid)) if pid else None

    def new_book() -> Workbook:
        wb = Workbook()
        guide = wb.active
        guide.title = GUIDE_SHEET
        lines = [
            f"{ds.name}（{ds.code}）  期间 {pcode}",
            f"上报截止：{due.isoformat()}（期末后 {ds.timely_days} 天内报送为及时）"
            + (f"；{closes.isoformat()} 后停止录入" if closes else ""),
            "填写方法：每个机构一个工作表，只在黄色的“本期数值”和“备注”列填写；其余单元格已锁定。",
            "“上期数值（参考）”为上一期已报数据，仅供核对，不会导入。",
            "数值只填数字，不带单位和千分位；不填表示本次不报送该项。",
            "导入：hqd collect import 本文件（先加 --dry-run 检查）。文件有任何错误时不会写入任何数据。",
        ]
        for i, line in enumerate(lines, 1):
            guide.cell(i, 1, line)
        guide.column_dimensions["A"].width = 100
        guide.protection.sheet = True
        meta = wb.create_sheet(META_SHEET)
        for i, (k, v) in enumerate([("mark", MARK), ("version", 1), ("data_set", ds.code), ("period", pcode)], 1):
            meta.cell(i, 1, k)
            meta.cell(i, 2, v)
        meta.sheet_state = "hidden"
        meta.protection.sheet = True
        return wb

    def add_sheet(wb: Workbook, o: Org) -> None:
        ws = wb.create_sheet(sheet_title(o.code))
        ws["A1"] = f"{ds.name}（{ds.code}）"
        ws["A1"].font = Font(bold=True, size=13)
        ws.merge_cells("A1:F1")
        for ref, val in (("A2", "机构代码"), ("B2", o.code), ("C2", "机构名称"), ("D2", o.name),
                         ("A3", "期间"), ("B3", pcode), ("C3", "上报截止"), ("D3", due.isoformat()),
                         ("A4", "数据集"), ("B4", ds.code)):
            ws[ref] = val
        for col, h in enumerate(HEADERS, 1):
            c = ws.cell(HEADER_ROW, col, h)
            c.font = Font(bold=True)
            c.fill = _HEAD_FILL
            c.alignment = Alignment(horizontal="center")
        dv = DataValidation(type="decimal", operator="between", formula1="-1000000000000000",
                            formula2="1000000000000000", allow_blank=True, showErrorMessage=True,
                            errorTitle="数值无效", error="请输入数字（不带单位、千分位或百分号）")
        ws.add_data_validation(dv)
        last = FIRST_ROW + len(elements) - 1
        for i, e in enumerate(elements):
            r = FIRST_ROW + i
            ws.cell(r, 1, e.code)
            ws.cell(r, 2, e.name)
            ws.cell(r, 3, e.unit or "")
            v = ws.cell(r, 4, cur(o, e.id, pcode))
            v.protection = Protection(locked=False)
            v.fill = _ENTRY_FILL
            ref = ws.cell(r, 5, cur(o, e.id, prev_code))
            ref.font = _REF_FONT
            if (o.id, e.id) in versions:
                ws.cell(r, 7, versions[(o.id, e.id)])
            note = ws.cell(r, 6)
            note.protection = Protection(locked=False)
            note.fill = _ENTRY_FILL
        if elements:
            dv.add(f"{VALUE_COL}{FIRST_ROW}:{VALUE_COL}{last}")
        for col, width in zip("ABCDEF", (14, 30, 10, 16, 18, 30), strict=True):
            ws.column_dimensions[col].width = width
        ws.column_dimensions[VERSION_COL].hidden = True
        ws.freeze_panes = f"A{FIRST_ROW}"
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # users may widen columns

    written: list[Path] = []
    if split:
        out.mkdir(parents=True, exist_ok=True)
        for o in orgs:
            wb = new_book()
            add_sheet(wb, o)
            path = out / f"{ds.code}_{pcode}_{sheet_title(o.code)}.xlsx"
            wb.save(path)
            written.append(path)
        return written
    titles = [sheet_title(o.code) for o in orgs]
    if len(set(titles)) != len(titles):
        raise StoreError("有机构代码截断为 31 个字符后重名，无法放在同一个工作簿中，请使用 --split 按机构分别生成")
    wb = new_book()
    for o in orgs:
        add_sheet(wb, o)
    if out.suffix.lower() != ".xlsx":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"{ds.code}_{pcode}{'_' + sheet_title(org) if org else ''}.xlsx"
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return [out]
