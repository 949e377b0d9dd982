"""Targets (目标) after import: link to a catalog indicator, set a baseline, name the orgs they apply to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import StoreError
from .models import Org, Target, TargetOrg
from .periods import parse_period
from .values import audit


def set_target(
    session: Session,
    target_id: int,
    *,
    actor: str,
    catalog_code: str | None = None,
    baseline_value: float | None = None,
    baseline_period: str | None = None,
    org_codes: Sequence[str] | None = None,
) -> Target:
    """Change what is given; `org_codes=[]` makes the target apply to the whole jurisdiction again."""
    target = session.get(Target, target_id)
    if target is None:
        raise StoreError(f"目标 {target_id} 不存在")
    before = (target.catalog_code, target.baseline_value, target.baseline_period,
              sorted(o.org_id for o in target.orgs))
    if catalog_code is not None:
        target.catalog_code = catalog_code or None
    if baseline_value is not None:
        target.baseline_value = baseline_value
    if baseline_period is not None:
        target.baseline_period = parse_period(baseline_period).code
    if org_codes is not None:
        found = {o.code: o.id for o in session.scalars(select(Org).where(Org.code.in_(list(org_codes))))}
        missing = [c for c in org_codes if c not in found]
        if missing:
            raise StoreError(f"机构代码 {'、'.join(missing)} 不存在")
        target.orgs[:] = [TargetOrg(org_id=found[c]) for c in dict.fromkeys(org_codes)]
    session.flush()
    after = (target.catalog_code, target.baseline_value, target.baseline_period,
             sorted(o.org_id for o in target.orgs))
    audit(session, actor=actor, action="update", entity="target", key=str(target.id), old=str(before),
          new=str(after), source="form")
    return target


def targets_for_org(session: Session, org_code: str) -> list[Target]:
    """Targets that name this org or one of its ancestors, plus targets that name no org at all."""
    org = session.scalar(select(Org).where(Org.code == org_code))
    if org is None:
        raise StoreError(f"机构代码“{org_code}”不存在")
    chain = [c for c in org.path.strip("/").split("/") if c]
    ids = list(session.scalars(select(Org.id).where(Org.code.in_(chain))))
    named = select(TargetOrg.target_id).where(TargetOrg.org_id.in_(ids))
    unnamed = select(Target.id).where(~Target.id.in_(select(TargetOrg.target_id)))
    return list(session.scalars(select(Target).where(Target.id.in_(named) | Target.id.in_(unnamed))
                                .order_by(Target.id)))
