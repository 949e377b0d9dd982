"""Submissions (填报): draft → submitted → approved | returned; reopening; completeness and timeliness.

Submitting and approving lock the values of the data set for that org and period; returning or
reopening (with a reason) unlocks them. Every transition is audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hqd.store.errors import ConflictError, StoreError
from hqd.store.models import DataSet, DataSetOrg, DataValue, Org, Period, Submission
from hqd.store.periods import TYPE_NAMES, local_date, parse_period
from hqd.store.values import audit, get_or_create_period

from .datasets import check_rules, compile_rules, get_data_set

STATUS_NAMES = {"draft": "草稿", "submitted": "已上报", "approved": "已审核通过", "returned": "已退回"}


def _load(session: Session, dataset: str, org: str, period: str) -> tuple[DataSet, Org, Period, Submission]:
    ds = get_data_set(session, dataset)
    o = session.scalar(select(Org).where(Org.code == org))
    if o is None:
        raise StoreError(f"机构代码“{org}”不存在")
    if session.scalar(select(DataSetOrg.id).where(DataSetOrg.data_set_id == ds.id, DataSetOrg.org_id == o.id)) is None:
        raise StoreError(f"机构“{org}”未分配到数据集“{ds.code}”")
    spec = parse_period(period)
    if spec.type != ds.period_type:
        raise StoreError(f"数据集“{ds.code}”按{TYPE_NAMES[ds.period_type]}填报，期间“{period}”是{TYPE_NAMES[spec.type]}")
    p = get_or_create_period(session, spec.code)
    sub = session.scalar(select(Submission).where(Submission.data_set_id == ds.id, Submission.org_id == o.id,
                                                  Submission.period_id == p.id))
    if sub is None:
        sub = Submission(data_set_id=ds.id, org_id=o.id, period_id=p.id, status="draft")
        session.add(sub)
        session.flush()
    return ds, o, p, sub


def _flush(session: Session) -> None:
    """Write the transition; the submission's version column turns a concurrent change into a conflict."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError("该填报刚被他人处理（上报、审核或退回），请刷新后再操作") from exc


def _key(ds: DataSet, o: Org, p: Period) -> str:
    return f"{ds.code}|{o.code}|{p.code}"


def _require(sub: Submission, allowed: tuple[str, ...], action: str) -> None:
    if sub.status not in allowed:
        names = "或".join(STATUS_NAMES[s] for s in allowed)
        raise StoreError(f"当前状态为“{STATUS_NAMES[sub.status]}”，只有{names}的填报才能{action}")


def stored_values(session: Session, ds: DataSet, org: Org, period: Period) -> dict[str, float | None]:
    el_codes = {dse.element.id: dse.element.code for dse in ds.elements}
    rows = session.execute(select(DataValue.data_element_id, DataValue.value).where(
        DataValue.org_id == org.id, DataValue.period_id == period.id,
        DataValue.data_element_id.in_(list(el_codes))))
    return {el_codes[r[0]]: r[1] for r in rows}


def submit(session: Session, dataset: str, org: str, period: str, *, actor: str, now: datetime | None = None) -> Submission:
    """Mark complete (上报): refused while error-level validation rules fail or nothing was entered."""
    ds, o, p, sub = _load(session, dataset, org, period)
    _require(sub, ("draft", "returned"), "上报")
    values = stored_values(session, ds, o, p)
    if not any(v is not None for v in values.values()):
        raise StoreError(f"{o.name}（{o.code}）{p.code} 尚未填报任何数据，不能上报")
    failed = [v.message() for v in check_rules(compile_rules(ds), values) if v.rule.severity == "error"]
    if failed:
        raise StoreError([f"{o.name}（{o.code}）{p.code} 未通过校验，不能上报："] + failed)
    old = sub.status
    sub.status = "submitted"
    sub.submitted_at = now or datetime.now(UTC)
    sub.submitted_by = actor
    sub.returned_reason = None
    sub.updated_at = datetime.now(UTC)
    audit(session, actor=actor, action="submit", entity="submission", key=_key(ds, o, p), old=old, new="submitted",
          source="form")
    _flush(session)
    return sub


def approve(session: Session, dataset: str, org: str, period: str, *, actor: str, now: datetime | None = None) -> Submission:
    ds, o, p, sub = _load(session, dataset, org, period)
    _require(sub, ("submitted",), "审核通过")
    sub.status = "approved"
    sub.approved_at = now or datetime.now(UTC)
    sub.approved_by = actor
    sub.updated_at = datetime.now(UTC)
    audit(session, actor=actor, action="approve", entity="submission", key=_key(ds, o, p), old="submitted",
          new="approved", source="form")
    _flush(session)
    return sub


def return_(session: Session, dataset: str, org: str, period: str, *, reason: str, actor: str) -> Submission:
    """退回: a submitted form goes back to the org with a reason; its values unlock."""
    if not reason.strip():
        raise StoreError("退回必须填写原因")
    ds, o, p, sub = _load(session, dataset, org, period)
    _require(sub, ("submitted",), "退回")
    sub.status = "returned"
    sub.returned_reason = reason.strip()
    sub.updated_at = datetime.now(UTC)
    audit(session, actor=actor, action="return", entity="submission", key=_key(ds, o, p), old="submitted",
          new="returned", source="form", detail=reason.strip())
    _flush(session)
    return sub


def reopen(session: Session, dataset: str, org: str, period: str, *, reason: str, actor: str) -> Submission:
    """重新打开 an approved form (unlocks its values); always audited with the reason."""
    if not reason.strip():
        raise StoreError("重新打开已审核的填报必须填写原因")
    ds, o, p, sub = _load(session, dataset, org, period)
    _require(sub, ("approved",), "重新打开")
    sub.status = "returned"
    sub.returned_reason = reason.strip()
    sub.approved_at = None
    sub.approved_by = None
    sub.updated_at = datetime.now(UTC)
    audit(session, actor=actor, action="reopen", entity="submission", key=_key(ds, o, p), old="approved",
          new="returned", source="form", detail=reason.strip())
    _flush(session)
    return sub


@dataclass
class Completeness:
    level: int | None  # None: all levels
    expected: int
    submitted: int  # submitted or approved (reported complete)
    on_time: int
    approved: int

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 0.0

    @property
    def timely_rate(self) -> float:
        return self.on_time / self.expected if self.expected else 0.0


def completeness(session: Session, dataset: str, period: str) -> list[Completeness]:
    """Per org level and in total: expected = orgs assigned; complete = submitted or approved;
    on time = submitted by period end + timely days, local calendar day (DHIS2's reporting rate and
    on-time rate)."""
    ds = get_data_set(session, dataset)
    spec = parse_period(period)
    if spec.type != ds.period_type:
        raise StoreError(f"数据集“{ds.code}”按{TYPE_NAMES[ds.period_type]}填报，期间“{period}”是{TYPE_NAMES[spec.type]}")
    deadline = spec.end + timedelta(days=ds.timely_days)
    levels = dict(session.execute(select(Org.id, Org.level).join(DataSetOrg, DataSetOrg.org_id == Org.id)
                                  .where(DataSetOrg.data_set_id == ds.id)).all())
    stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for lvl in levels.values():
        stats[lvl][0] += 1
    p = session.scalar(select(Period).where(Period.code == spec.code))
    if p is not None:
        rows = session.execute(select(Submission.org_id, Submission.status, Submission.submitted_at)
                               .where(Submission.data_set_id == ds.id, Submission.period_id == p.id))
        for org_id, status, submitted_at in rows:
            if org_id not in levels or status not in ("submitted", "approved"):
                continue
            s = stats[levels[org_id]]
            s[1] += 1
            if submitted_at is not None and local_date(submitted_at) <= deadline:
                s[2] += 1
            if status == "approved":
                s[3] += 1
    out = [Completeness(lvl, *v) for lvl, v in sorted(stats.items())]
    total = [sum(c.expected for c in out), sum(c.submitted for c in out), sum(c.on_time for c in out),
             sum(c.approved for c in out)]
    out.append(Completeness(None, *total))
    return out


def status_counts(session: Session, dataset: str, period: str) -> dict[str, int]:
    ds = get_data_set(session, dataset)
    p = session.scalar(select(Period).where(Period.code == parse_period(period).code))
    if p is None:
        return {}
    return dict(session.execute(select(Submission.status, func.count()).where(
        Submission.data_set_id == ds.id, Submission.period_id == p.id).group_by(Submission.status)).all())


def overdue_submissions(session: Session, dataset: str, period: str, today: date) -> list[tuple[str, str, str | None]]:
    """(org, due date, submitted date or None) for every assigned org whose report is missing or
    came late, once the due date (period end + timely days) has passed or the report is in."""
    ds = get_data_set(session, dataset)
    spec = parse_period(period)
    due = spec.end + timedelta(days=ds.timely_days)
    orgs = dict(session.execute(select(Org.id, Org.code).join(DataSetOrg, DataSetOrg.org_id == Org.id)
                                .where(DataSetOrg.data_set_id == ds.id)).all())
    p = session.scalar(select(Period).where(Period.code == spec.code))
    submitted: dict[int, date] = {}
    if p is not None:
        for org_id, status, at in session.execute(
            select(Submission.org_id, Submission.status, Submission.submitted_at)
            .where(Submission.data_set_id == ds.id, Submission.period_id == p.id)
        ):
            if status in ("submitted", "approved") and at is not None:
                submitted[org_id] = local_date(at)
    out = []
    for org_id, code in sorted(orgs.items(), key=lambda kv: kv[1]):
        got = submitted.get(org_id)
        if got is None and today > due:
            out.append((code, due.isoformat(), None))
        elif got is not None and got > due:
            out.append((code, due.isoformat(), got.isoformat()))
    return out
