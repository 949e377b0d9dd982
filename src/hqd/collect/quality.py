"""Data-quality review of stored values (数据质量核查): outliers against own history and peers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from hqd.store.db import Store
from hqd.store.errors import StoreError
from hqd.store.models import DataSetOrg, Org, Period
from hqd.store.periods import TYPE_NAMES, parse_period, shift
from hqd.store.read import read_cube

from .datasets import get_data_set
from .outliers import history_flags, peer_flags

HISTORY_PERIODS = 8


@dataclass
class Finding:
    org: str
    element: str
    period: str
    value: float
    message: str


def find_outliers(session: Session, dataset: str, period: str) -> list[Finding]:
    """Every stored value of the data set for the period that is far from the org's own history or
    from its peers (same level, type and grade). Reads committed values through the value cache."""
    ds = get_data_set(session, dataset)
    spec = parse_period(period)
    if spec.type != ds.period_type:
        raise StoreError(f"数据集“{ds.code}”按{TYPE_NAMES[ds.period_type]}填报，期间“{period}”是{TYPE_NAMES[spec.type]}")
    if session.scalar(select(Period.id).where(Period.code == spec.code)) is None:
        return []
    members = session.execute(select(Org.code, Org.level, Org.type, Org.grade)
                              .join(DataSetOrg, DataSetOrg.org_id == Org.id)
                              .where(DataSetOrg.data_set_id == ds.id)).all()
    hist_codes = [shift(spec.code, -k) for k in range(1, HISTORY_PERIODS + 1)]
    bind = session.get_bind()
    cube = read_cube(Store(getattr(bind, "engine", bind)), [dse.element.code for dse in ds.elements],
                     [spec.code, *hist_codes])
    at = {o: k for k, o in enumerate(cube.orgs)}
    members = [m for m in members if m.code in at]
    cols = np.array([at[m.code] for m in members], dtype=np.int64)
    now = cube.value[:, cube.periods.index(spec.code), :][:, cols]  # [element, member]
    past = cube.value[:, [k for k, p in enumerate(cube.periods) if p != spec.code], :][:, :, cols]
    out: list[Finding] = []
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, m in enumerate(members):
        groups[(m.level, m.type, m.grade)].append(i)
    for j, element in enumerate(cube.elements):
        for peers in map(np.array, groups.values()):
            known = peers[~np.isnan(now[j, peers])]
            for i, flag in peer_flags(dict(zip(known.tolist(), now[j, known].tolist(), strict=True))).items():
                out.append(Finding(members[i].code, element, spec.code, flag.value, flag.message()))
    element_of, member_of = np.nonzero(~np.isnan(now))
    history = past[element_of, :, member_of]  # [value, period]; NaN where none
    for k, flag in history_flags(now[element_of, member_of], history):
        out.append(Finding(members[member_of[k]].code, cube.elements[element_of[k]], spec.code, flag.value,
                           flag.message()))
    return sorted(out, key=lambda f: (f.org, f.element, f.message))
