"""The four roles and what each may do inside its org subtree.

| role | 名称 | read | write data / submit | approve, return, reopen | save plans | users, audit |
|---|---|---|---|---|---|---|
| admin | 系统管理员 | whole tree | yes | yes | yes | yes |
| reviewer | 审核（卫健委） | subtree | no | subtree below its own org | of a region only | no |
| reporter | 填报 | subtree | subtree | no | no | no |
| viewer | 查看 | subtree | no | no | no | no |

An admin is bound to the root org, so "subtree" is the whole tree for it too. A reviewer approves
the submissions of the orgs under it (a district 卫健局 approves its hospitals), never its own. Saving
plans also needs a region's org (省、市、区县, not a facility); the web layer checks that and the plan's
owning region (hqd.web.context.Scope.require_plans / require_plan_owner).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    write: bool  # data values, imports, submit
    approve: bool  # approve, return, reopen submissions
    plans: bool  # save plans (policy ledgers)
    admin: bool  # users, audit log


ROLES = {
    "admin": Role("admin", "系统管理员", write=True, approve=True, plans=True, admin=True),
    "reviewer": Role("reviewer", "审核", write=False, approve=True, plans=True, admin=False),
    "reporter": Role("reporter", "填报", write=True, approve=False, plans=False, admin=False),
    "viewer": Role("viewer", "查看", write=False, approve=False, plans=False, admin=False),
}
ROLE_NAMES = {r.code: r.name for r in ROLES.values()}
