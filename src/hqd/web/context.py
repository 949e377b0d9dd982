"""Who is asking and what they may see: the one place the web app checks it.

Issue #8 adds users and org-scoped access; until then everyone is an anonymous user who sees the
whole tree. Every route takes `Scope` through `Depends(scope)`, and the helpers below are the only
checks, so access control goes in here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request


@dataclass(frozen=True)
class Scope:
    user: str  # written to the audit log as the actor
    org_root: str | None = None  # None: the whole tree; later the user's org (and its subtree)

    def can_see(self, org_path: str | None) -> bool:
        return self.org_root is None or (org_path or "").find(f"/{self.org_root}/") >= 0

    def can_write(self, org_path: str | None) -> bool:
        return self.can_see(org_path)


def scope(request: Request) -> Scope:
    user = request.headers.get("x-hqd-user") or "网页用户"
    return Scope(user=user[:100])
