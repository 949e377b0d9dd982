"""Demo accounts, one per role at each level, so the web UI is usable right after `hqd demo`.
All share one documented password (README); never use these on a real deployment."""

from __future__ import annotations

from hqd.store.db import Store

DEMO_PASSWORD = "Hqd-demo-2025"
# username, display name, role, org code, responsible unit (责任单位) the account speaks for
DEMO_USERS = [
    ("admin", "系统管理员", "admin", "ZJ", None),
    ("zj_shenhe", "省卫生健康委审核员", "reviewer", "ZJ", "省卫生健康委"),
    ("hz_shenhe", "杭州市卫健委审核员", "reviewer", "HZ", "市卫生健康委"),
    ("fh_shenhe", "奉化区卫健局审核员", "reviewer", "NBFH", "区卫生健康局"),
    ("fh01_tianbao", "奉化区医院填报员", "reporter", "NBFH01", None),
    ("fhj01_tianbao", "奉化区基层机构填报员", "reporter", "NBFHJ01", None),
    ("hz_chakan", "杭州市查看用户", "viewer", "HZ", None),
]


def create_demo_users(store: Store) -> list[tuple[str, str, str, str]]:
    """Create the demo accounts whose org exists; (username, role name, org, password) for printing."""
    from sqlalchemy import select

    from hqd.access import ROLE_NAMES, create_user
    from hqd.store.models import Org

    made = []
    with store.session() as s:
        codes = set(s.scalars(select(Org.code).where(Org.code.in_([u[3] for u in DEMO_USERS]))))
        for username, name, role, org, unit in DEMO_USERS:
            if org in codes:
                create_user(s, username, DEMO_PASSWORD, role, org, display_name=name, unit=unit, actor="hqd demo")
                made.append((username, ROLE_NAMES[role], org, DEMO_PASSWORD))
    return made
