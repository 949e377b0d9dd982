"""Data values: read, write with optimistic versioning, audit every change.

Every write states what it expects: either the version it read (forms, API) or, for file imports,
the version this transaction saw when it loaded the current values. An UPDATE only matches the
row at that version, so a concurrent change is reported as a conflict and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .bulk import db_time, insert_rows, update_versioned
from .errors import ConflictError, LockedError, StoreError
from .models import (
    AuditLog,
    DataElement,
    DataSet,
    DataSetElement,
    DataValue,
    Org,
    Period,
    Submission,
    utcnow,
)
from .periods import parse_period

SOURCES = ("form", "file", "api", "records", "restore")
LOCKING_STATUSES = ("submitted", "approved")
_CHUNK = 500


@dataclass
class ValueWrite:
    org_id: int
    element_id: int
    period_id: int
    value: float | None
    key: str  # readable key for audit and messages: ORG|ELEMENT|PERIOD
    comment: str | None = None
    expected_version: int | None = None  # the version the writer read; None for a new value or a file
    where: str | None = None  # where the value came from (a cell, a line), for messages


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class CurrentValue:
    id: int
    value: float | None
    comment: str | None
    version: int


def fmt_value(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def get_or_create_period(session: Session, code: str) -> Period:
    """The period row, created if missing; safe when two writers create the same period at once."""
    spec = parse_period(code)
    period = session.scalar(select(Period).where(Period.code == spec.code))
    if period is None:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        conn.execute(dialect_insert(Period.__table__).values(
            code=spec.code, type=spec.type, start_date=spec.start, end_date=spec.end).on_conflict_do_nothing())
        period = session.scalar(select(Period).where(Period.code == spec.code))
    return period


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    key: str,
    old: str | None = None,
    new: str | None = None,
    source: str | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        AuditLog(
            at=utcnow(), actor=actor, action=action, entity=entity, key=key,
            old_value=old, new_value=new, source=source, detail=detail,
        )
    )


def current_values(
    session: Session, triples: Iterable[tuple[int, int, int]]
) -> dict[tuple[int, int, int], CurrentValue]:
    """Stored values for (org_id, element_id, period_id) triples, loaded in chunks."""
    triples = list(set(triples))
    out: dict[tuple[int, int, int], CurrentValue] = {}
    if not triples:
        return out
    t = DataValue.__table__
    # Group by period: imports usually cover one or a few periods and many orgs.
    by_period: dict[int, set[int]] = {}
    elements: set[int] = set()
    for o, e, p in triples:
        by_period.setdefault(p, set()).add(o)
        elements.add(e)
    wanted = set(triples)
    for p, orgs in by_period.items():
        org_list = sorted(orgs)
        for i in range(0, len(org_list), _CHUNK):
            chunk = org_list[i : i + _CHUNK]
            rows = session.execute(
                select(t.c.id, t.c.org_id, t.c.data_element_id, t.c.period_id, t.c.value, t.c.comment, t.c.version)
                .where(t.c.period_id == p, t.c.org_id.in_(chunk))
            )
            for r in rows:
                k = (r.org_id, r.data_element_id, r.period_id)
                if k in wanted:
                    out[k] = CurrentValue(r.id, r.value, r.comment, r.version)
    return out


def locked_pairs(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[set[int], str]]:
    """(org_id, period_id) → (element ids locked by a submitted/approved submission, its status)."""
    pairs = set(pairs)
    out: dict[tuple[int, int], tuple[set[int], str]] = {}
    if not pairs:
        return out
    periods, orgs = {p for _, p in pairs}, {o for o, _ in pairs}
    query = (select(Submission.org_id, Submission.period_id, Submission.status, DataSetElement.data_element_id)
             .join(DataSetElement, DataSetElement.data_set_id == Submission.data_set_id)
             .where(Submission.status.in_(LOCKING_STATUSES), Submission.period_id.in_(periods)))
    if len(orgs) <= 500:  # a form or a file of a few orgs: not every org's submissions of the quarter
        query = query.where(Submission.org_id.in_(orgs))
    rows = session.execute(query)
    for r in rows:
        k = (r.org_id, r.period_id)
        if k in pairs:
            elems, status = out.setdefault(k, (set(), r.status))
            elems.add(r.data_element_id)
            if r.status == "approved":
                out[k] = (elems, "approved")
    return out


def write_values(
    session: Session,
    writes: Sequence[ValueWrite],
    *,
    actor: str,
    source: str,
    detail: str | None = None,
    check_locks: bool = True,
) -> WriteResult:
    """Insert or update values in the session's transaction; audit each change.

    Raises LockedError for values under a submitted/approved submission and ConflictError when
    a value changed since it was read; the caller's transaction is then to be rolled back.
    """
    if source not in SOURCES:
        raise StoreError(f"未知的数据来源“{source}”")
    result = WriteResult()
    if not writes:
        return result
    if check_locks:
        locks = locked_pairs(session, ((w.org_id, w.period_id) for w in writes))
        problems = []
        for w in writes:
            lk = locks.get((w.org_id, w.period_id))
            if lk and w.element_id in lk[0]:
                state = "已审核通过" if lk[1] == "approved" else "已上报"
                problems.append(f"{w.key}：所属填报{state}，数据已锁定，需退回或重新打开后才能修改")
        if problems:
            raise LockedError(problems)
    current = current_values(session, ((w.org_id, w.element_id, w.period_id) for w in writes))
    conn = session.connection()
    now = db_time(conn, utcnow())
    inserts: list[tuple] = []
    updates: list[tuple] = []
    audits: list[tuple] = []
    conflicts: list[str] = []
    for w in writes:
        cur = current.get((w.org_id, w.element_id, w.period_id))
        if cur is None:
            if w.expected_version is not None:
                conflicts.append(f"{w.where or w.key}：读取后该数据已被他人删除")
                continue
            inserts.append((w.org_id, w.element_id, w.period_id, w.value, w.comment, 1, actor, now, source))
            audits.append((now, actor, "create", "data_value", w.key, None, fmt_value(w.value), source, detail))
            result.created += 1
            continue
        if cur.value == w.value and (w.comment is None or w.comment == cur.comment):
            result.unchanged += 1  # the same value, whatever version the writer saw
            continue
        if w.expected_version is not None and w.expected_version != cur.version:
            conflicts.append(
                f"{w.where or w.key}：读取后（版本 {w.expected_version}）该数据已被他人修改为 {fmt_value(cur.value)}"
                f"（版本 {cur.version}），请刷新（或重新生成模板）后再提交"
            )
            continue
        comment = w.comment if w.comment is not None else cur.comment
        updates.append((w.value, comment, cur.version + 1, actor, now, source, cur.id, cur.version))
        audits.append((now, actor, "update", "data_value", w.key, fmt_value(cur.value), fmt_value(w.value), source,
                       detail))
        result.updated += 1
    if conflicts:
        raise ConflictError(conflicts)
    insert_rows(conn, "data_value", _VALUE_COLUMNS, inserts)
    matched = update_versioned(conn, "data_value", _UPDATE_COLUMNS, updates)
    if matched != len(updates):
        raise ConflictError(f"有 {len(updates) - matched} 个数据在读取后被他人修改，本次写入已全部撤销，请刷新后重试")
    insert_rows(conn, "audit_log", _AUDIT_COLUMNS, audits)
    return result


_VALUE_COLUMNS = ("org_id", "data_element_id", "period_id", "value", "comment", "version", "updated_by", "updated_at",
                  "source")
_UPDATE_COLUMNS = ("value", "comment", "version", "updated_by", "updated_at", "source")
_AUDIT_COLUMNS = ("at", "actor", "action", "entity", "key", "old_value", "new_value", "source", "detail")


@dataclass
class ValueView:
    org: str
    element: str
    period: str
    value: float | None
    version: int
    updated_by: str | None
    source: str | None


def resolve_key(session: Session, org: str, element: str, period: str) -> tuple[Org, DataElement, Period]:
    o = session.scalar(select(Org).where(Org.code == org))
    e = session.scalar(select(DataElement).where(DataElement.code == element))
    if o is None:
        raise StoreError(f"机构代码“{org}”不存在")
    if e is None:
        raise StoreError(f"数据项代码“{element}”不存在")
    return o, e, get_or_create_period(session, period)


def get_value(session: Session, org: str, element: str, period: str) -> ValueView | None:
    """The stored value with its version (to pass back as `expected_version`)."""
    row = session.execute(
        select(DataValue, Org.code, DataElement.code, Period.code)
        .join(Org, Org.id == DataValue.org_id)
        .join(DataElement, DataElement.id == DataValue.data_element_id)
        .join(Period, Period.id == DataValue.period_id)
        .where(Org.code == org, DataElement.code == element, Period.code == parse_period(period).code)
    ).first()
    if row is None:
        return None
    dv = row[0]
    return ValueView(org, element, row[3], dv.value, dv.version, dv.updated_by, dv.source)


def set_value(
    session: Session,
    org: str,
    element: str,
    period: str,
    value: float | None,
    *,
    actor: str,
    source: str = "form",
    expected_version: int | None = None,
    comment: str | None = None,
) -> ValueView:
    """One value from a form or the API; `expected_version` is the version the user saw."""
    o, e, p = resolve_key(session, org, element, period)
    key = f"{o.code}|{e.code}|{p.code}"
    write_values(
        session,
        [ValueWrite(o.id, e.id, p.id, value, key, comment, expected_version)],
        actor=actor, source=source,
    )
    view = get_value(session, org, element, period)
    assert view is not None
    return view


def values_for(
    session: Session, *, data_set: DataSet | None = None, period_ids: Sequence[int] | None = None,
    org_ids: Sequence[int] | None = None,
) -> dict[tuple[int, int, int], float | None]:
    """Values keyed by (org_id, element_id, period_id), filtered."""
    t = DataValue.__table__
    q = select(t.c.org_id, t.c.data_element_id, t.c.period_id, t.c.value)
    if period_ids is not None:
        q = q.where(t.c.period_id.in_(list(period_ids)))
    if data_set is not None:
        q = q.where(t.c.data_element_id.in_(select(DataSetElement.data_element_id).where(
            DataSetElement.data_set_id == data_set.id)))
    if org_ids is not None and len(org_ids) <= _CHUNK:
        q = q.where(t.c.org_id.in_(list(org_ids)))
    wanted = set(org_ids) if org_ids is not None else None
    rows = session.execute(q)  # unpacked as tuples, no ORM objects: a quarter's review reads millions
    if wanted is None:
        return {(o, e, p): v for o, e, p, v in rows}
    return {(o, e, p): v for o, e, p, v in rows if o in wanted}


__all__ = [
    "CurrentValue", "ValueView", "ValueWrite", "WriteResult", "audit", "current_values", "fmt_value",
    "get_or_create_period", "get_value", "locked_pairs", "set_value", "values_for", "write_values",
]
