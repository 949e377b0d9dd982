"""Data-quality review of stored values (数据质量核查): outliers against own history and peers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hqd.store.errors import StoreError
from hqd.store.models import DataSetOrg, Org, Period
from hqd.store.periods import TYPE_NAMES, parse_period, shift
from hqd.store.values import values_for

from .datasets import get_data_set
from .outliers import against_histories, peer_flags

HISTORY_PERIODS = 8


@dataclass
class Finding:
    org: str
    element: str
    period: str
    value: float
    message: str


def find_outliers(session: Session, dataset: str, period: str) -> list[Finding]:
    ds = get_data_set(session, dataset)
    spec = parse_period(period)
    if spec.type != ds.period_type:
        raise StoreError(f"数据集“{ds.code}”按{TYPE_NAMES[ds.period_type]}填报，期间“{period}”是{TYPE_NAMES[spec.type]}")
    p = session.scalar(select(Period).where(Period.code == spec.code))
    if p is None:
        return []
    orgs = {r.id: r for r in session.execute(select(Org.id, Org.code, Org.level, Org.type, Org.grade)
                                              .join(DataSetOrg, DataSetOrg.org_id == Org.id)
                                              .where(DataSetOrg.data_set_id == ds.id))}
    el_codes = {dse.element.id: dse.element.code for dse in ds.elements}
    current = {k: v for k, v in values_for(session, data_set=ds, period_ids=[p.id]).items()
               if v is not None and k[0] in orgs}
    hist_codes = [shift(spec.code, -k) for k in range(1, HISTORY_PERIODS + 1)]
    hist_ids = list(session.scalars(select(Period.id).where(Period.code.in_(hist_codes))))
    history: dict[tuple[int, int], list[float]] = defaultdict(list)
    if hist_ids:
        for (o, el, _), v in values_for(session, data_set=ds, period_ids=hist_ids).items():
            if v is not None:
                history[(o, el)].append(v)
    pools: dict[tuple, dict[int, float]] = defaultdict(dict)
    for (o, el, _), v in current.items():
        r = orgs[o]
        pools[(el, r.level, r.type, r.grade)][o] = v
    out: list[Finding] = []
    for (el, *_), pool in pools.items():
        for o, flag in peer_flags(pool).items():
            out.append(Finding(orgs[o].code, el_codes[el], spec.code, flag.value, flag.message()))
    keys = list(current)
    flags = against_histories([current[k] for k in keys], [history.get((k[0], k[1]), []) for k in keys])
    for (o, el, _), flag in zip(keys, flags, strict=True):
        if flag:
            out.append(Finding(orgs[o].code, el_codes[el], spec.code, flag.value, flag.message()))
    return sorted(out, key=lambda f: (f.org, f.element, f.message))
