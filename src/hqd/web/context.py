"""Who is asking and what they may see: the one place the web app decides it.

A request is signed in by the session cookie (browser) or `Authorization: Bearer` (API token).
Every route takes `Scope` through `Depends(scope)`; the `require_*` helpers below and the
`visible`/`in_scope` filters are the only access checks, so routes stay thin. Rules (hqd.access.roles):
each user acts on its org's subtree; plans, tasks and data-set definitions are public documents
for every signed-in user. A refusal is a 403 with a Chinese message and an audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from fastapi import Request
from sqlalchemy import select

from hqd.access import ROLES, Principal, principal_for_session, principal_for_token
from hqd.store.models import Org
from hqd.store.values import audit

SESSION_COOKIE = "hqd_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class SignInRequired(Exception):
    """No valid session or token: 401 JSON under /api, a redirect to /login for pages."""


class Forbidden(Exception):
    def __init__(self, detail: str, field: str | None = None):
        self.detail, self.field = detail, field


@dataclass(frozen=True)
class Scope:
    user: str  # written to the audit log as the actor
    principal: Principal
    store: object
    via: str = "session"  # session / token

    @property
    def role(self):
        return ROLES[self.principal.role]

    @property
    def org_path(self) -> str:
        return self.principal.org_path

    def can_see(self, org_path: str | None) -> bool:
        return bool(org_path) and org_path.startswith(self.org_path)

    def can_write(self, org_path: str | None) -> bool:
        return self.role.write and self.can_see(org_path)

    def can_approve(self, org_path: str | None) -> bool:
        # a reviewer approves the orgs below it, never its own submissions
        return self.role.approve and self.can_see(org_path) and (self.role.admin or org_path != self.org_path)

    # ── checks that raise 403 (and audit the denial) ──

    def deny(self, what: str, key: str, field: str | None = None):
        with self.store.session() as s:
            audit(s, actor=self.user, action="denied", entity="access", key=key[:300], detail=what)
        raise Forbidden(f"无权{what}：超出您的权限范围（{self.principal.role_name}，{self.principal.org_code}）", field)

    def path_of(self, org_code: str) -> str | None:
        return org_path(self.store, org_code)

    def require_see(self, org_code: str, field: str = "org") -> None:
        path = self.path_of(org_code)
        if path is not None and not self.can_see(path):  # unknown codes fall through to the route's 404
            self.deny(f"查看机构“{org_code}”的数据", org_code, field)

    def require_write(self, org_code: str, field: str = "org") -> None:
        path = self.path_of(org_code)
        if path is not None and not self.can_write(path):
            self.deny(f"填报或修改机构“{org_code}”的数据", org_code, field)

    def require_approve(self, org_code: str, field: str = "org") -> None:
        path = self.path_of(org_code)
        if path is not None and not self.can_approve(path):
            self.deny(f"审核机构“{org_code}”的报送", org_code, field)

    def is_region_user(self) -> bool:
        """A user of a region (省、市、区县: an org with children), not of a facility."""
        return self.role.admin or self.principal.org_code in regions(self.store)

    def require_plans(self) -> None:
        """Uploading and saving plans: administrators, and reviewers of a region (not of a facility)."""
        if not (self.role.plans and self.is_region_user()):
            self.deny("上传或保存政策方案（限系统管理员和省、市、区县卫生健康行政部门的审核人员）", "plans")

    def require_plan_owner(self, plan_org: str | None, title: str) -> None:
        """Re-saving a stored plan: only users whose scope holds the region that owns it (a district may not
        overwrite its city's plan; the city may correct the district's)."""
        owner = self.path_of(plan_org) if plan_org else None
        if owner is not None and not self.can_see(owner):
            from hqd.report.from_store import org_names

            name = org_names(self.store).get(plan_org, plan_org)
            self.deny(f"修改方案“{title}”（该方案属{name}，不在本机构辖区内）", f"plan|{title}", "doc_number")

    def require_admin(self, what: str = "访问系统管理功能") -> None:
        if not self.role.admin:
            self.deny(what, "admin")

    def require_region(self, what: str) -> None:
        """Region-wide documents (a plan's ledger with every region's progress): users of a region, not a facility."""
        if not self.is_region_user():
            self.deny(what, "region")

    @cached_property
    def unit_name(self) -> str | None:
        """The responsible unit (责任单位) the user speaks for, under its canonical name."""
        from hqd.store.ledger import find_unit

        if not self.principal.unit:
            return None
        with self.store.session() as s:
            unit = find_unit(s, self.principal.unit)
            return unit.name if unit else self.principal.unit

    def in_plan_region(self, plan_org: str | None) -> bool:
        """Whether the user's org lies in the region that owns a plan. Unit names repeat across regions
        (every city has a 市卫生健康委), so a unit named in city A's plan is city A's, not city B's.
        A plan with no region (imported before the org tree) is province-wide."""
        owner = self.path_of(plan_org) if plan_org else None
        return owner is None or self.org_path.startswith(owner)

    def speaks_for(self, units: Iterable[str], plan_org: str | None) -> bool:
        """Whether the user reports for one of a task's responsible units (`units`, canonical names)."""
        return self.unit_name is not None and self.unit_name in units and self.in_plan_region(plan_org)

    # ── list filters ──

    def in_scope(self, org_code: str | None) -> bool:
        path = self.path_of(org_code) if org_code else None
        return self.can_see(path)

    def visible_orgs(self, rows: list[dict], parent: str | None) -> list[dict]:
        """The org list: the visible ones; a facility user's top-level list is its own org."""
        from . import queries as q

        shown = self.visible(rows, key=lambda o: o["code"])
        if parent is None and not any(o["code"] == self.principal.org_code for o in shown):
            info = q.org_info(self.store, self.principal.org_code)
            parent_code = info["path"][-2]["code"] if len(info["path"]) > 1 else None
            shown.insert(0, {**{k: info[k] for k in ("code", "name", "level", "type", "grade")}, "parent": parent_code})
        return shown

    def visible(self, rows, key=lambda r: r.org):
        return [r for r in rows if self.in_scope(key(r))]


def org_path(store, code: str) -> str | None:
    return _org_paths(store).get(code) or _lookup(store, code)


def _org_paths(store) -> dict[str, str]:
    """code → path of every org, read once per store (5,000 orgs: a few hundred kB)."""
    cached = store.__dict__.get("_hqd_org_paths")
    if cached is None:
        with store.session() as s:
            cached = {code: path for code, path in s.execute(select(Org.code, Org.path))}
        store.__dict__["_hqd_org_paths"] = cached
    return cached


def _lookup(store, code: str) -> str | None:
    """An org added after the cache was filled (the org tree grows, codes never move)."""
    with store.session() as s:
        path = s.scalar(select(Org.path).where(Org.code == code))
    if path is not None:
        _org_paths(store)[code] = path
    return path


def regions(store) -> set[str]:
    """Orgs with children (省、市、区县): their users may read region-wide documents."""
    paths = _org_paths(store).values()
    return {p.strip("/").split("/")[-2] for p in paths if p.count("/") > 2}


async def scope(request: Request) -> Scope:
    store = request.app.state.store
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        with store.session() as s:
            who = principal_for_token(s, auth[7:].strip())
        if who is None:
            raise SignInRequired()
        return Scope(who.username, who, store, via="token")
    token = request.cookies.get(SESSION_COOKIE)
    who = None
    if token:
        with store.session() as s:
            who = principal_for_session(s, token)
    if who is None:
        raise SignInRequired()
    if request.method in UNSAFE:
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
        if not sent or not secrets.compare_digest(str(sent), who.csrf or ""):
            with store.session() as s:
                audit(s, actor=who.username, action="denied", entity="access", key=request.url.path[:300],
                      detail="CSRF 校验失败")
            raise Forbidden("页面已过期或请求来源不可信（CSRF 校验失败），请刷新页面后重试", "csrf_token")
    request.state.who = who
    return Scope(who.username, who, store)
