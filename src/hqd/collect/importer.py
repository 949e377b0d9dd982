"""Import of collected data (xlsx templates, CSV, JSON) with every check before anything is written.

The whole file is checked — org, data element, period, number, duplicates, locks, entry window,
validation rules — and written in one transaction only if no error was found. `partial` writes the
(org, period) groups without errors and skips the rest; `dry_run` checks and rolls back.
Warnings (outliers, warning-level rules) never block.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hqd.store.db import Store
from hqd.store.errors import StoreError
from hqd.store.models import DataSet, DataSetOrg, Org, Period, Submission
from hqd.store.periods import TYPE_NAMES, local_date, parse_period, shift
from hqd.store.values import ValueWrite, get_or_create_period, locked_pairs, values_for, write_values

from .datasets import check_rules, compile_rules
from .outliers import against_history, peer_flags
from .tables import cell_text, decode_text
from .template import FIRST_ROW, GUIDE_SHEET, HEADER_ROW, HEADERS, MARK, META_SHEET
from .xlsx import iter_sheets

HISTORY_PERIODS = 8
CSV_COLUMNS = {
    "org": ("机构代码", "org_code", "orgunit", "机构"),
    "element": ("数据项代码", "data_element", "dataelement", "数据项"),
    "period": ("期间", "报告期"),
    "value": ("数值", "值"),
    "comment": ("备注", "说明"),
    "data_set": ("数据集", "dataset"),
}


@dataclass(slots=True)
class Entry:
    where: str  # cell / line, for messages
    group: str  # sheet or org+period, for group-level messages
    org: str
    element: str
    period: str
    raw: Any
    comment: str | None = None
    ref: str = ""  # short reference inside the group: D9, 第 5 行, values[3]
    version: int | None = None  # the stored version the template was made from (xlsx column G)


@dataclass
class ImportReport:
    file: str
    data_set: str | None = None
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_groups: int = 0
    written: bool = False
    dry_run: bool = False


_INF = (float("inf"), float("-inf"))


def parse_number(raw: Any) -> float | None:
    """A number from a cell; None for blank. Raises ValueError with a Chinese reason otherwise."""
    if raw is None:
        return None
    kind = type(raw)
    if kind is float or kind is int:
        value = float(raw)
    elif kind is str:
        try:
            value = float(raw)  # the common case, fast
        except ValueError:
            text = raw.strip().replace(",", "").replace("，", "")
            if text == "":
                return None
            if text.endswith(("%", "％")):
                raise ValueError(f"“{raw}”带百分号，请填写不带百分号的数字") from None
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"“{raw}”不是数字") from None
    else:  # bool, dates, formulas' errors …
        raise ValueError(f"“{raw}”不是数字")
    if value != value or value in _INF:
        raise ValueError(f"“{raw}”不是有效数字")
    return value


# ── Readers ──────────────────────────────────────────────────────────────────────────────────


def read_xlsx(path: Path) -> tuple[str | None, list[Entry], list[str]]:
    all_sheets = list(iter_sheets(path, max_col=7))
    errors: list[str] = []
    entries: list[Entry] = []
    ds_code: str | None = None
    for title, rows in all_sheets:
        if title == META_SHEET:
            meta = {cell_text(r[0]): r[1] for r in rows}
            if meta.get("mark") == MARK:
                ds_code = cell_text(meta.get("data_set")) or None
    sheets = [(t, rows) for t, rows in all_sheets if t not in (META_SHEET, GUIDE_SHEET)]
    if not sheets:
        raise StoreError(f"文件 {path.name}：没有可导入的工作表")
    for title, rows in sheets:
        loc = f"文件 {path.name} 工作表 {title}"
        if len(rows) < HEADER_ROW or [cell_text(c) for c in rows[HEADER_ROW - 1][:4]] != HEADERS[:4]:
            errors.append(f"{loc}：不是填报模板的格式（第 {HEADER_ROW} 行表头应为 {'、'.join(HEADERS[:4])}），"
                          "请使用 hqd collect template 生成的模板")
            continue
        org = cell_text(rows[1][1]) if len(rows[1]) > 1 else ""
        period = cell_text(rows[2][1]) if len(rows[2]) > 1 else ""
        sheet_ds = cell_text(rows[3][1]) if len(rows[3]) > 1 else ""
        if not org:
            errors.append(f"{loc} 单元格 B2：机构代码为空")
            continue
        if not period:
            errors.append(f"{loc} 单元格 B3：期间为空")
            continue
        if sheet_ds:
            if ds_code and sheet_ds != ds_code:
                errors.append(f"{loc} 单元格 B4：数据集“{sheet_ds}”与本文件的数据集“{ds_code}”不一致")
                continue
            ds_code = ds_code or sheet_ds
        for r, row in enumerate(rows[FIRST_ROW - 1 :], FIRST_ROW):
            code = cell_text(row[0]) if row else ""
            raw = row[3] if len(row) > 3 else None
            note = cell_text(row[5]) if len(row) > 5 else ""
            version = row[6] if len(row) > 6 and isinstance(row[6], float | int) else None
            if not code:
                if raw not in (None, ""):
                    errors.append(f"{loc} 单元格 A{r}：填了数值但数据项代码为空")
                continue
            entries.append(Entry(f"{loc} 单元格 D{r}", loc, org, code, period, raw, note or None, f"D{r}",
                                 int(version) if version is not None else None))
    return ds_code, entries, errors


def read_csv(path: Path) -> tuple[str | None, list[Entry], list[str]]:
    rows = csv.reader(io.StringIO(decode_text(path), newline=""))
    try:
        return _read_csv_rows(path, rows)
    except csv.Error as exc:  # a stray NUL or carriage return inside a field (found by fuzzing)
        raise StoreError(f"文件 {path.name} 第 {rows.line_num} 行：不是有效的 CSV（{exc}）") from exc


def _read_csv_rows(path: Path, reader) -> tuple[str | None, list[Entry], list[str]]:
    try:
        header = next(reader)
    except StopIteration:
        raise StoreError(f"文件 {path.name}：文件为空") from None
    lookup = {a.lower(): c for c, aliases in CSV_COLUMNS.items() for a in (c, *aliases)}
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        canon = lookup.get(h.strip().lower())
        if canon is None and h.strip():
            raise StoreError(f"文件 {path.name} 第 1 行：无法识别的列“{h.strip()}”"
                             "（可用：机构代码、数据项代码、期间、数值、备注、数据集）")
        if canon:
            index[canon] = i
    missing = [c for c in ("org", "element", "period", "value") if c not in index]
    if missing:
        names = "、".join(CSV_COLUMNS[c][0] for c in missing)
        raise StoreError(f"文件 {path.name} 第 1 行：缺少必需的列 {names}")
    io_, ie, ip, iv = index["org"], index["element"], index["period"], index["value"]
    ic, ids = index.get("comment"), index.get("data_set")
    width = max(index.values()) + 1
    entries: list[Entry] = []
    errors: list[str] = []
    ds_codes: set[str] = set()
    name = path.name
    for n, row in enumerate(reader, 2):
        if not row:
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        org, el, per = row[io_].strip(), row[ie].strip(), row[ip].strip()
        where = f"文件 {name} 第 {n} 行"
        if ids is not None and row[ids]:
            ds_codes.add(row[ids].strip())
        if not org or not el or not per:
            if any(c.strip() for c in row):
                errors.append(f"{where}：机构代码、数据项代码和期间都不能为空")
            continue
        comment = row[ic].strip() if ic is not None else ""
        entries.append(Entry(where, f"文件 {name} 机构 {org} 期间 {per}", org, el, per, row[iv], comment or None,
                             f"第 {n} 行"))
    if len(ds_codes) > 1:
        errors.append(f"文件 {name}：数据集列含有多个数据集（{'、'.join(sorted(ds_codes))}），一个文件只能导入一个数据集")
    return (next(iter(ds_codes)) if len(ds_codes) == 1 else None), entries, errors


def read_json(path: Path) -> tuple[str | None, list[Entry], list[str]]:
    try:
        data = json.loads(decode_text(path))
    except json.JSONDecodeError as exc:
        raise StoreError(f"文件 {path.name}：JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）") from exc
    if isinstance(data, list):
        data = {"values": data}
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise StoreError(f"文件 {path.name}：应为 {{\"data_set\": …, \"period\": …, \"values\": [...]}} 或数值记录的列表")
    d_org, d_period = cell_text(data.get("org")), cell_text(data.get("period"))
    entries: list[Entry] = []
    errors: list[str] = []
    for i, v in enumerate(data["values"]):
        where = f"文件 {path.name} values[{i}]"
        if not isinstance(v, dict):
            errors.append(f"{where}：应为包含 org、element、period、value 的对象")
            continue
        org = cell_text(v.get("org")) or d_org
        el = cell_text(v.get("element"))
        per = cell_text(v.get("period")) or d_period
        if not org or not el or not per:
            errors.append(f"{where}：org、element 和 period 都不能为空")
            continue
        entries.append(Entry(where, f"文件 {path.name} 机构 {org} 期间 {per}", org, el, per, v.get("value"),
                             cell_text(v.get("comment")) or None, f"values[{i}]"))
    return (cell_text(data.get("data_set")) or None), entries, errors


READERS = {".xlsx": read_xlsx, ".csv": read_csv, ".json": read_json}


# ── Checks and write ─────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class _Good:
    element_id: int
    value: float
    where: str
    comment: str | None
    key: str
    ref: str
    version: int | None


@contextmanager
def _bulk_mode() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small acyclic objects are made
    (3× faster CSV parsing); it is re-enabled whatever happens."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_file(
    store: Store,
    path: Path,
    *,
    actor: str,
    data_set: str | None = None,
    dry_run: bool = False,
    partial: bool = False,
    now: datetime | None = None,
    source: str = "file",
    check_outliers: bool = True,
    within: str | None = None,
) -> ImportReport:
    """`within`: an org path (/ZJ/HZ/); rows for orgs outside that subtree are errors (the signed-in
    user's scope), so a file can never write beyond the uploader's orgs."""
    report = ImportReport(file=path.name, dry_run=dry_run)
    if not path.is_file():
        raise StoreError(f"文件 {path}：不存在")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise StoreError(f"文件 {path.name}：不支持的格式“{path.suffix}”，请使用 .xlsx、.csv 或 .json")
    with _bulk_mode():
        return _import(store, path, reader, report, actor=actor, data_set=data_set, dry_run=dry_run,
                       partial=partial, now=now, source=source, check_outliers=check_outliers, within=within)


def _import(
    store: Store, path: Path, reader, report: ImportReport, *, actor: str, data_set: str | None, dry_run: bool,
    partial: bool, now: datetime | None, source: str, check_outliers: bool, within: str | None = None,
) -> ImportReport:
    file_ds, entries, errors = reader(path)
    report.rows = len(entries)
    report.errors.extend(errors)
    ds_code = data_set or file_ds
    if data_set and file_ds and data_set != file_ds:
        raise StoreError(f"文件 {path.name} 属于数据集“{file_ds}”，与指定的 --dataset {data_set} 不一致")
    if not ds_code:
        raise StoreError(f"文件 {path.name}：无法确定数据集，请用 --dataset 指定，或在文件中给出数据集")
    report.data_set = ds_code
    now = now or datetime.now(UTC)
    with store.sessions() as session:
        try:
            _check_and_write(session, report, entries, ds_code, actor=actor, partial=partial, now=now,
                             source=source, detail=path.name, check_outliers=check_outliers, within=within)
            if report.written and not dry_run:
                session.commit()
            else:
                session.rollback()
                report.written = False if dry_run else report.written
        except StoreError as exc:
            session.rollback()
            report.errors.extend(exc.problems)
            report.written = False
        except IntegrityError as exc:  # another writer created the same row at the same moment
            session.rollback()
            report.errors.append(f"写入时与其他用户的同时写入冲突，未写入任何数据，请重试（{type(exc.orig).__name__}）")
            report.written = False
        except BaseException:
            session.rollback()
            raise
    if dry_run:
        report.written = False
    return report


def _check_and_write(
    session: Session, report: ImportReport, entries: list[Entry], ds_code: str, *, actor: str, partial: bool,
    now: datetime, source: str, detail: str, check_outliers: bool, within: str | None = None,
) -> None:
    ds = session.scalar(select(DataSet).where(DataSet.code == ds_code))
    if ds is None:
        raise StoreError(f"数据集“{ds_code}”不存在")
    errors = report.errors
    el_ids = {dse.element.code: dse.element.id for dse in ds.elements}
    el_codes = {v: k for k, v in el_ids.items()}
    assigned = {
        r.code: r for r in session.execute(
            select(Org.id, Org.code, Org.level, Org.type, Org.grade, Org.path)
            .join(DataSetOrg, DataSetOrg.org_id == Org.id).where(DataSetOrg.data_set_id == ds.id)
        )
    }
    periods: dict[str, Period | str] = {}  # code → Period, or the error message
    today = local_date(now)
    for code in {e.period for e in entries}:
        try:
            spec = parse_period(code)
        except StoreError as exc:
            periods[code] = str(exc)
            continue
        if spec.type != ds.period_type:
            periods[code] = f"数据集“{ds.code}”按{TYPE_NAMES[ds.period_type]}填报，期间“{code}”是{TYPE_NAMES[spec.type]}"
        elif spec.start > today:
            periods[code] = f"期间“{code}”尚未开始，不能填报"
        elif ds.expiry_days is not None and today > spec.end + timedelta(days=ds.expiry_days):
            periods[code] = (f"期间“{code}”已于 {(spec.end + timedelta(days=ds.expiry_days)).isoformat()} 停止录入"
                             "（超过数据集的录入期限），如需修改请联系管理员")
        else:
            periods[code] = get_or_create_period(session, spec.code)

    groups: dict[tuple[int, int], dict[int, _Good]] = defaultdict(dict)
    group_where: dict[tuple[int, int], str] = {}
    bad_groups: set[tuple[int, int]] = set()
    reported: set[tuple[str, str]] = set()  # group-level messages already given
    unknown_orgs: set[str] | None = None
    for e in entries:
        org = assigned.get(e.org)
        period = periods.get(e.period)
        if org is None:
            if unknown_orgs is None:
                unknown_orgs = set(session.scalars(select(Org.code).where(Org.code.in_(
                    list({x.org for x in entries if x.org not in assigned})))))
            if (e.group, e.org) not in reported:
                reported.add((e.group, e.org))
                if e.org in unknown_orgs:
                    errors.append(f"{e.group}：机构“{e.org}”未分配到数据集“{ds.code}”")
                else:
                    errors.append(f"{e.group}：机构代码“{e.org}”不存在")
            continue
        if within and not org.path.startswith(within):
            if (e.group, e.org) not in reported:
                reported.add((e.group, e.org))
                errors.append(f"{e.group}：机构“{e.org}”不在您的权限范围内，不能导入")
            continue
        if not isinstance(period, Period):
            if (e.group, e.period) not in reported:
                reported.add((e.group, e.period))
                errors.append(f"{e.group}：{period}")
            continue
        gkey = (org.id, period.id)
        group_where.setdefault(gkey, e.group)
        el_id = el_ids.get(e.element)
        if el_id is None:
            errors.append(f"{e.where}：数据项“{e.element}”不属于数据集“{ds.code}”")
            bad_groups.add(gkey)
            continue
        try:
            value = parse_number(e.raw)
        except ValueError as exc:
            errors.append(f"{e.where}：{exc}")
            bad_groups.add(gkey)
            continue
        if value is None:
            continue
        group = groups[gkey]
        if el_id in group:
            errors.append(f"{e.where}：数据项“{e.element}”重复（已在 {group[el_id].where} 填写）")
            bad_groups.add(gkey)
            continue
        group[el_id] = _Good(el_id, value, e.where, e.comment, f"{e.org}|{e.element}|{period.code}", e.ref,
                             e.version)

    # Locked (submitted / approved) submissions.
    locks = locked_pairs(session, groups.keys())
    for gkey, (elems, status) in locks.items():
        if elems & set(groups[gkey]):
            state = "已审核通过" if status == "approved" else "已上报"
            errors.append(f"{group_where[gkey]}：该机构本期填报{state}，数据已锁定，需退回或重新打开后才能修改")
            bad_groups.add(gkey)

    # Validation rules over stored values merged with the incoming ones.
    rules = compile_rules(ds)
    period_ids = sorted({p for _, p in groups})
    org_ids = sorted({o for o, _ in groups})
    stored = values_for(session, data_set=ds, period_ids=period_ids, org_ids=org_ids) if groups else {}
    stored_by_group: dict[tuple[int, int], dict[int, float | None]] = defaultdict(dict)
    for (o, el, p), v in stored.items():
        stored_by_group[(o, p)][el] = v
    if rules:
        for gkey, group in groups.items():
            merged = {el_codes[el]: v for el, v in stored_by_group.get(gkey, {}).items()}
            merged.update({el_codes[g.element_id]: g.value for g in group.values()})
            for violation in check_rules(rules, merged):
                cells = [group[el_ids[c]].ref for c in sorted(violation.rule.elements)
                         if el_ids.get(c) in group]
                if not cells:
                    continue  # the violation is entirely in stored values this file does not touch
                msg = f"{group_where[gkey]}：{violation.message()}，涉及 {'、'.join(cells)}"
                if violation.rule.severity == "error":
                    errors.append(msg)
                    bad_groups.add(gkey)
                else:
                    report.warnings.append(msg)

    if check_outliers and groups:
        _outlier_warnings(session, report, ds, groups, stored, assigned, el_codes)

    if errors and not partial:
        return
    if partial:
        report.skipped_groups = len(bad_groups)
    writes = [
        ValueWrite(o, g.element_id, p, g.value, g.key, g.comment, g.version, where=g.where)
        for (o, p), group in groups.items() if (o, p) not in bad_groups
        for g in group.values()
    ]
    if not writes:
        if not errors:
            report.warnings.append("文件中没有填写任何数值，未写入数据")
        return
    result = write_values(session, writes, actor=actor, source=source, detail=detail, check_locks=False)
    report.created, report.updated, report.unchanged = result.created, result.updated, result.unchanged
    _ensure_submissions(session, ds, {(o, p) for (o, p) in groups if (o, p) not in bad_groups})
    report.written = True


def _ensure_submissions(session: Session, ds: DataSet, keys: set[tuple[int, int]]) -> None:
    if not keys:
        return
    periods = {p for _, p in keys}
    have = {(r.org_id, r.period_id) for r in session.execute(
        select(Submission.org_id, Submission.period_id)
        .where(Submission.data_set_id == ds.id, Submission.period_id.in_(periods)))}
    missing = [{"data_set_id": ds.id, "org_id": o, "period_id": p, "status": "draft", "version": 1,
                "updated_at": datetime.now(UTC)} for (o, p) in sorted(keys - have)]
    if missing:
        session.connection().execute(insert(Submission.__table__), missing)


def _outlier_warnings(session, report, ds, groups, stored, assigned, el_codes) -> None:
    period_codes = {p.id: p.code for p in session.scalars(select(Period).where(Period.id.in_({p for _, p in groups})))}
    # History: the same org and element over the previous periods of the same type.
    hist_codes = {c: [shift(c, -k) for k in range(1, HISTORY_PERIODS + 1)] for c in period_codes.values()}
    all_hist = {h for hs in hist_codes.values() for h in hs}
    hist_ids = {p.code: p.id for p in session.scalars(select(Period).where(Period.code.in_(all_hist)))}
    org_ids = sorted({o for o, _ in groups})
    history = values_for(session, data_set=ds, period_ids=list(hist_ids.values()), org_ids=org_ids) if hist_ids else {}
    peer_key = {r.id: (r.level, r.type, r.grade) for r in assigned.values()}
    # Peers: orgs of the same level, type and grade, same element and period (stored + incoming).
    pools: dict[tuple, dict[int, float]] = defaultdict(dict)
    all_stored = values_for(session, data_set=ds, period_ids=list(period_codes))
    for (o, el, p), v in all_stored.items():
        if v is not None and o in peer_key:
            pools[(p, el, peer_key[o])][o] = v
    for (o, p), group in groups.items():
        for g in group.values():
            pools[(p, g.element_id, peer_key[o])][o] = g.value
    peer_hits: dict[tuple[int, int, int], str] = {}
    for (p, el, _), pool in pools.items():
        for o, flag in peer_flags(pool).items():
            peer_hits[(o, el, p)] = flag.message()
    for (o, p), group in groups.items():
        ids = [hist_ids[c] for c in hist_codes[period_codes[p]] if c in hist_ids]
        for g in group.values():
            past = [v for pid in ids if (v := history.get((o, g.element_id, pid))) is not None]
            flag = against_history(g.value, past) if past else None
            if flag:
                report.warnings.append(f"{g.where}：{flag.message()}")
            if (o, g.element_id, p) in peer_hits:
                report.warnings.append(f"{g.where}：{peer_hits[(o, g.element_id, p)]}")
