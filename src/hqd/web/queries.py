"""Reads the pages and the API share: plans with lineage, tasks, orgs, values of a data set, submissions."""

from __future__ import annotations

import re
from dataclasses import asdict, is_dataclass

from sqlalchemy import func, select

from hqd.store.db import Store
from hqd.store.models import (
    DataElement,
    DataSet,
    DataSetElement,
    DataSetOrg,
    DataValue,
    Org,
    Period,
    Plan,
    Submission,
    Task,
)

from .app import WebError

PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|-\d{2})?$")
SUBMISSION_NAMES = {"draft": "草稿", "submitted": "已上报", "approved": "已审核", "returned": "已退回"}


def plain(x):
    if is_dataclass(x):
        return asdict(x)
    if isinstance(x, list | tuple):
        return [plain(v) for v in x]
    return x


def check_period(period: str | None, field: str = "period") -> str:
    if period is None or not PERIOD_RE.match(period):
        raise WebError(422, f"期间“{period}”格式不正确，应如 2025Q2", field)
    return period


def org_or_404(session, code: str, field: str = "org") -> Org:
    org = session.scalar(select(Org).where(Org.code == code))
    if org is None:
        raise WebError(404, f"机构代码“{code}”不存在", field)
    return org


def plans(store: Store) -> list[dict]:
    with store.session() as s:
        out = []
        for p in s.scalars(select(Plan).order_by(Plan.date.desc().nullslast(), Plan.id)):
            tasks = [t for t in p.tasks if not t.removed]
            out.append({"id": p.id, "title": p.title or p.file, "issuer": p.issuer, "doc_number": p.doc_number,
                        "date": p.date.isoformat() if p.date else None, "level": p.level, "file": p.file,
                        "org": p.org.code if p.org else None, "org_name": p.org.name if p.org else None,
                        "tasks": len(tasks), "targets": sum(len(t.targets) for t in tasks),
                        "cites": [{"title": c.title, "doc_number": c.doc_number, "plan_id": c.cited_plan_id}
                                  for c in p.citations],
                        "cited_by": []})
        by_id = {p["id"]: p for p in out}
        for p in out:
            for c in p["cites"]:
                if c["plan_id"] in by_id:
                    by_id[c["plan_id"]]["cited_by"].append({"id": p["id"], "title": p["title"]})
        return out


def plan_detail(store: Store, plan_id: int) -> dict:
    from hqd.report.ledger_text import baseline_value, target_value

    with store.session() as s:
        p = s.get(Plan, plan_id)
        if p is None:
            raise WebError(404, f"方案 {plan_id} 不存在", "plan_id")
        text = (p.ledger or {}).get("source_text") or ""
        tasks = []
        for t in p.tasks:
            if t.removed:
                continue
            tasks.append({
                "id": t.id, "path": t.path, "title": t.title, "deadline": t.deadline.isoformat() if t.deadline else None,
                "status": t.status, "section": t.section,
                "lead_units": [u.unit.name for u in t.units if u.role == "lead"],
                "support_units": [u.unit.name for u in t.units if u.role == "support"],
                "targets": [{
                    "id": g.id, "indicator": g.indicator, "target": target_value({"comparator": g.comparator, "value": g.value,
                                                                                  "value_high": g.value_high, "unit": g.unit}),
                    "comparator": g.comparator, "value": g.value, "unit": g.unit, "catalog_code": g.catalog_code,
                    "baseline": baseline_value({"unit": g.unit, "baseline": g.baseline_value,
                                                "baseline_period": g.baseline_period}),
                    "deadline": g.deadline.isoformat() if g.deadline else None, "scope": g.scope, "text": g.text,
                    "context": clause_context(text, g.start, g.end, g.text),
                } for g in t.targets],
            })
        return {"id": p.id, "title": p.title or p.file, "issuer": p.issuer, "doc_number": p.doc_number,
                "date": p.date.isoformat() if p.date else None, "level": p.level, "tasks": tasks, "has_text": bool(text),
                "org": p.org.code if p.org else None, "org_name": p.org.name if p.org else None}


def clause_context(text: str, start: int, end: int, clause: str, margin: int = 80) -> dict:
    """The target's clause with some plan text either side (before, clause, after), for highlighting."""
    if text and 0 <= start < end <= len(text):
        a, b = max(0, start - margin), min(len(text), end + margin)
        return {"before": text[a:start], "clause": text[start:end], "after": text[end:b]}
    return {"before": "", "clause": clause, "after": ""}


def orgs(store: Store, parent: str | None = None) -> list[dict]:
    with store.session() as s:
        q = select(Org).where(Org.closed.is_(False))
        if parent:
            q = q.where(Org.parent_id == org_or_404(s, parent, "parent").id)
        else:
            q = q.where(Org.level <= 3)
        return [{"code": o.code, "name": o.name, "level": o.level, "type": o.type, "grade": o.grade,
                 "parent": o.parent.code if o.parent else None} for o in s.scalars(q.order_by(Org.level, Org.code))]


def org_info(store: Store, code: str) -> dict:
    with store.session() as s:
        o = org_or_404(s, code)
        chain = [c for c in o.path.strip("/").split("/") if c]
        names = dict(s.execute(select(Org.code, Org.name).where(Org.code.in_(chain))).all())
        children = s.scalar(select(func.count()).select_from(Org).where(Org.parent_id == o.id))
        return {"code": o.code, "name": o.name, "level": o.level, "type": o.type, "grade": o.grade,
                "path": [{"code": c, "name": names.get(c, c)} for c in chain], "children": children, "org_path": o.path}


def data_sets(store: Store) -> list[dict]:
    def count(table):  # counted by the database: a province's data set has thousands of orgs
        return select(func.count()).where(table.data_set_id == DataSet.id).scalar_subquery()

    with store.session() as s:
        rows = s.execute(select(DataSet.code, DataSet.name, DataSet.period_type, DataSet.timely_days,
                                count(DataSetElement), count(DataSetOrg)).order_by(DataSet.code))
        return [{"code": c, "name": n, "period_type": t, "timely_days": d, "elements": e, "orgs": o}
                for c, n, t, d, e, o in rows]


def entry_form(store: Store, dataset: str, period: str, org: str) -> dict:
    """The data set's elements with the org's stored values and versions, and its submission state."""
    with store.session() as s:
        ds = s.scalar(select(DataSet).where(DataSet.code == dataset))
        if ds is None:
            raise WebError(404, f"数据集“{dataset}”不存在", "dataset")
        o = org_or_404(s, org)
        if s.scalar(select(DataSetOrg.id).where(DataSetOrg.data_set_id == ds.id, DataSetOrg.org_id == o.id)) is None:
            raise WebError(400, f"机构“{o.name}”不在数据集“{ds.name}”的填报范围内", "org")
        p = s.scalar(select(Period).where(Period.code == period))
        stored = {}
        sub = None
        if p is not None:
            stored = {e: (v, ver) for e, v, ver in s.execute(
                select(DataElement.code, DataValue.value, DataValue.version).join(DataElement)
                .where(DataValue.org_id == o.id, DataValue.period_id == p.id))}
            sub = s.scalar(select(Submission).where(Submission.data_set_id == ds.id, Submission.org_id == o.id,
                                                    Submission.period_id == p.id))
        rows = []
        for dse in s.scalars(select(DataSetElement).where(DataSetElement.data_set_id == ds.id)
                             .order_by(DataSetElement.position)):
            e = dse.element
            v, ver = stored.get(e.code, (None, 0))
            rows.append({"code": e.code, "name": e.name, "unit": e.unit, "value": v, "version": ver})
        status = sub.status if sub else "draft"
        return {"dataset": ds.code, "dataset_name": ds.name, "org": o.code, "org_name": o.name, "period": period,
                "status": status, "status_name": SUBMISSION_NAMES.get(status, status), "elements": rows,
                "returned_reason": sub.returned_reason if sub else None}


def submissions(store: Store, dataset: str, period: str, status: str | None = None, limit: int = 500,
                within: str | None = None) -> list[dict]:
    """`within`: only orgs under this path (the user's scope), filtered before the limit."""
    with store.session() as s:
        ds = s.scalar(select(DataSet).where(DataSet.code == dataset))
        if ds is None:
            raise WebError(404, f"数据集“{dataset}”不存在", "dataset")
        q = (select(Org.code, Org.name, Submission.status, Submission.submitted_at, Submission.approved_at)
             .join(Org, Org.id == Submission.org_id).join(Period, Period.id == Submission.period_id)
             .where(Submission.data_set_id == ds.id, Period.code == period))
        if status:
            q = q.where(Submission.status == status)
        if within:
            q = q.where(Org.path.startswith(within))
        return [{"org": c, "org_name": n, "status": st, "status_name": SUBMISSION_NAMES.get(st, st),
                 "submitted_at": a.isoformat(timespec="minutes") if a else None,
                 "approved_at": b.isoformat(timespec="minutes") if b else None}
                for c, n, st, a, b in s.execute(q.order_by(Org.code).limit(limit))]


def tasks(store: Store, plan_id: int | None = None) -> list[dict]:
    with store.session() as s:
        q = select(Task).where(Task.removed.is_(False))
        if plan_id is not None:
            q = q.where(Task.plan_id == plan_id)
        return [{"id": t.id, "plan_id": t.plan_id, "plan_org": t.plan.org.code if t.plan.org else None,
                 "path": t.path, "title": t.title, "status": t.status,
                 "deadline": t.deadline.isoformat() if t.deadline else None,
                 "lead_units": [u.unit.name for u in t.units if u.role == "lead"],
                 "support_units": [u.unit.name for u in t.units if u.role == "support"]}
                for t in s.scalars(q.order_by(Task.plan_id, Task.position))]
