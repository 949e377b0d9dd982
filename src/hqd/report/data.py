"""What reports and web pages read from the store besides hqd.monitoring: the latest period with data,
an org's subtree, an indicator's series for one org over many periods, submission rates in a region,
and the region each plan is about.

`indicator_series` reads the org's subtree once through `hqd.monitoring.indicator_table`, so a
14-quarter trend is one read, with the same formula semantics as every other value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from hqd.store.db import Store
from hqd.store.models import (
    DataSet,
    DataSetOrg,
    DataValue,
    Org,
    Period,
    Plan,
    Submission,
    Target,
    TargetOrg,
    Task,
)
from hqd.store.periods import local_date, parse_period

from .model import SubmissionRow

LEVEL_NAMES = {1: "省级", 2: "市级", 3: "区县级", 4: "医疗卫生机构"}


def latest_period(store: Store) -> str | None:
    """The latest quarter that has data values."""
    with store.session() as s:
        # EXISTS per period walks the period_id index; IN (SELECT DISTINCT …) scanned every value, each page
        has_values = select(DataValue.id).where(DataValue.period_id == Period.id).exists()
        return s.scalar(select(func.max(Period.code)).where(Period.type == "quarter", has_values))


def quarters_up_to(period: str, count: int) -> list[str]:
    from hqd.periods import Period as P

    p = P.parse(period)
    return [str(p.shift(-k)) for k in range(count - 1, -1, -1)]


def get_org(session, code: str) -> Org | None:
    return session.scalar(select(Org).where(Org.code == code))


@dataclass
class Point:
    period: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


def indicator_series(store: Store, code: str, org: str, periods: list[str]) -> list[Point]:
    """An org's values of an indicator (or a part) over periods."""
    return series_of(store, [code], org, periods)[code]


def series_of(store: Store, codes: list[str], org: str, periods: list[str]) -> dict[str, list[Point]]:
    """`indicator_series` of several indicators, keyed by code, from one read of the org's subtree."""
    from hqd.monitoring import indicator_table

    try:
        table = indicator_table(store, codes, periods, within=org) if codes else None
    except KeyError:  # no such org
        table = None
    return {c: [Point(per, *table.point(c, per, org)) if table else Point(per, None) for per in periods]
            for c in codes}


def submission_rows(store: Store, period: str, org: str) -> list[SubmissionRow]:
    """Expected, submitted and on-time reports of the quarterly data sets, by org level, in org's subtree."""
    spec = parse_period(period)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    with store.session() as s:
        root = get_org(s, org)
        if root is None:
            return []
        under = Org.path.startswith(root.path, autoescape=True)
        p = s.scalar(select(Period).where(Period.code == spec.code))
        for ds in s.scalars(select(DataSet).where(DataSet.period_type == spec.type)):
            due = spec.end + timedelta(days=ds.timely_days)
            levels = dict(s.execute(select(Org.id, Org.level).join(DataSetOrg, DataSetOrg.org_id == Org.id)
                                    .where(DataSetOrg.data_set_id == ds.id, under)).all())
            for lvl in levels.values():
                counts[lvl][0] += 1
            if p is None:
                continue
            for org_id, status, at in s.execute(select(Submission.org_id, Submission.status, Submission.submitted_at)
                                                .where(Submission.data_set_id == ds.id, Submission.period_id == p.id)):
                if org_id in levels and status in ("submitted", "approved"):
                    counts[levels[org_id]][1] += 1
                    if at is not None and local_date(at) <= due:
                        counts[levels[org_id]][2] += 1
    return [SubmissionRow(LEVEL_NAMES.get(lvl, f"第{lvl}级"), *v) for lvl, v in sorted(counts.items())]


def plan_regions(store: Store) -> dict[int, str]:
    """plan id → the org its targets apply to (the tree's root when they name none)."""
    with store.session() as s:
        root = s.scalar(select(Org.code).where(Org.parent_id.is_(None)))
        out = {pid: root for pid in s.scalars(select(Plan.id))}
        for pid, code in s.execute(select(Task.plan_id, Org.code).join(Target, Target.task_id == Task.id)
                                   .join(TargetOrg, TargetOrg.target_id == Target.id).join(Org, Org.id == TargetOrg.org_id)):
            out[pid] = code
    return out


def subtree_codes(store: Store, org: str) -> set[str]:
    with store.session() as s:
        root = get_org(s, org)
        if root is None:
            return set()
        return set(s.scalars(select(Org.code).where(Org.path.startswith(root.path, autoescape=True))))
