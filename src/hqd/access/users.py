"""Accounts, sign-in with throttling, browser sessions and API tokens. Tokens (cookie or bearer) are
random 256-bit strings; the store keeps only their SHA-256, so a leaked backup signs nobody in."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hqd.store.models import ApiToken, LoginFailure, Org, User, WebSession, utcnow
from hqd.store.values import audit

from .passwords import DUMMY_HASH, check_password_rules, hash_password, verify_password
from .roles import ROLES

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")


class AccessError(Exception):
    """A refusal with an HTTP-like status and a Chinese message (CLI: exit 2; web: that status)."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


@dataclass(frozen=True)
class Principal:
    """Who is acting: the signed-in user, their role and the org subtree they act on."""

    username: str
    display_name: str
    role: str
    org_code: str
    org_path: str  # /ZJ/HZ/ — every org whose path starts with it is inside the scope
    unit: str | None = None
    csrf: str | None = None  # set for browser sessions; bearer tokens carry no ambient credentials

    @property
    def role_name(self) -> str:
        return ROLES[self.role].name


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins allowed within `window`: per user name and address, and per address over any user
    names (password spraying: one address trying many user names). Settings: HQD_LOGIN_* (hqd.config)."""

    per_user: int = 5
    per_ip: int = 30
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls) -> Throttle:
        from hqd.config import load_settings

        s = load_settings()
        return cls(s.login_max_failures, s.login_max_failures_ip, timedelta(minutes=s.login_failure_minutes))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _org(session: Session, code: str) -> Org:
    org = session.scalar(select(Org).where(Org.code == code))
    if org is None:
        raise AccessError(404, f"机构代码“{code}”不存在", "org")
    return org


def create_user(session: Session, username: str, password: str, role: str, org: str | None, *,
                display_name: str = "", unit: str | None = None, actor: str = "系统") -> User:
    if not USERNAME.match(username):
        raise AccessError(422, "用户名须为 2—64 位字母、数字或 _ . -", "username")
    if role not in ROLES:
        raise AccessError(422, f"角色“{role}”无效，可选 {'、'.join(f'{k}（{r.name}）' for k, r in ROLES.items())}", "role")
    if session.scalar(select(User.id).where(User.username == username)):
        raise AccessError(409, f"用户名“{username}”已存在", "username")
    try:
        check_password_rules(password, username)
    except ValueError as exc:
        raise AccessError(422, str(exc), "password") from exc
    if org is None:
        if role != "admin":
            raise AccessError(422, "请指定用户所属机构（--org）", "org")
        root = session.scalar(select(Org).where(Org.parent_id.is_(None)).order_by(Org.id))
        if root is None:
            raise AccessError(422, "数据库中还没有机构，请先导入机构树", "org")
    else:
        root = _org(session, org)
    if role == "admin" and root.parent_id is not None:
        raise AccessError(422, "系统管理员须属于根机构（全省）", "org")
    user = User(username=username, display_name=display_name or username, password_hash=hash_password(password),
                role=role, org_id=root.id, unit=unit, active=True)
    session.add(user)
    session.flush()
    audit(session, actor=actor, action="create", entity="user", key=username, new=f"{role}@{root.code}")
    return user


def list_users(session: Session) -> list[dict]:
    rows = session.execute(select(User, Org.code, Org.name).join(Org, Org.id == User.org_id).order_by(User.username))
    return [{"username": u.username, "display_name": u.display_name, "role": u.role, "role_name": ROLES[u.role].name,
             "org": code, "org_name": name, "unit": u.unit, "active": u.active} for u, code, name in rows]


def disable_user(session: Session, username: str, *, actor: str = "系统") -> None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccessError(404, f"用户“{username}”不存在", "username")
    user.active = False
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(ApiToken.__table__.update().where(ApiToken.user_id == user.id).values(revoked=True))
    audit(session, actor=actor, action="disable", entity="user", key=username)


def _principal(session: Session, user: User, csrf: str | None = None) -> Principal:
    org = session.get(Org, user.org_id)
    return Principal(user.username, user.display_name, user.role, org.code, org.path, user.unit, csrf)


def purge_expired(session: Session, window: timedelta) -> None:
    """Drop expired browser sessions and failed sign-ins older than the throttle window (both columns indexed),
    so neither table grows forever. Called on every sign-in attempt: two indexed range deletes."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - window))


def _wait(session: Session, limit: int, window: timedelta, now: datetime, *where) -> timedelta | None:
    """How long until fewer than `limit` failures matching `where` are left in the window; None if already fewer."""
    recent = session.scalars(select(LoginFailure.at).where(*where, LoginFailure.at >= now - window)
                             .order_by(LoginFailure.at.desc()).limit(limit)).all()
    if limit <= 0 or len(recent) < limit:
        return None
    return max(recent[-1] + window - now, timedelta(seconds=1))


def _minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def authenticate(session: Session, username: str, password: str, ip: str, throttle: Throttle | None = None) -> Principal:
    """Check the password, throttled per user name and address and per address (`Throttle`). Audits every
    outcome. The caller commits even on failure (the failure row and its audit are the point)."""
    throttle = throttle or Throttle()
    username = (username or "").strip()[:64]
    purge_expired(session, throttle.window)
    now = utcnow()
    wait = _wait(session, throttle.per_user, throttle.window, now, LoginFailure.username == username,
                 LoginFailure.ip == ip)
    if wait is not None:
        audit(session, actor=username or "?", action="login_throttled", entity="user", key=username, source=ip,
              detail=f"同一用户名和地址失败 {throttle.per_user} 次")
        raise AccessError(429, f"登录失败次数过多，请 {_minutes(wait)} 分钟后再试", "password")
    wait = _wait(session, throttle.per_ip, throttle.window, now, LoginFailure.ip == ip)
    if wait is not None:
        audit(session, actor=username or "?", action="login_throttled", entity="user", key=username, source=ip,
              detail=f"同一地址失败 {throttle.per_ip} 次（多个用户名）")
        raise AccessError(429, f"该地址登录失败次数过多，已暂停从该地址登录，请 {_minutes(wait)} 分钟后再试；"
                               "如需协助请联系系统管理员", "password")
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password or "")
    if not ok or user is None or not user.active:
        session.add(LoginFailure(username=username, ip=ip))
        reason = "账号已停用" if ok and user is not None else "用户名或密码错误"
        audit(session, actor=username or "?", action="login_failed", entity="user", key=username, source=ip,
              detail=reason)
        raise AccessError(401, "用户名或密码错误，或账号已停用", "password")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.ip == ip))
    audit(session, actor=username, action="login", entity="user", key=username, source=ip)
    return _principal(session, user)


def sign_in(session: Session, username: str, hours: float = 12.0) -> tuple[str, str]:
    """A new browser session for an authenticated user: (cookie token, CSRF token)."""
    user = session.scalar(select(User).where(User.username == username))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=digest(token), csrf=csrf, user_id=user.id,
                           expires_at=utcnow() + timedelta(hours=hours)))
    return token, csrf


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


def principal_for_session(session: Session, token: str) -> Principal | None:
    row = session.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                          .where(WebSession.token_hash == digest(token))).first()
    if row is None or not row.User.active or row.WebSession.expires_at < utcnow():
        return None
    return _principal(session, row.User, row.WebSession.csrf)


def create_token(session: Session, username: str, name: str, *, actor: str = "系统") -> str:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise AccessError(404, f"用户“{username}”不存在或已停用", "username")
    token = "hqd_" + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=digest(token), name=name[:100], user_id=user.id))
    audit(session, actor=actor, action="create", entity="api_token", key=username, detail=name[:100])
    return token


def principal_for_token(session: Session, token: str) -> Principal | None:
    row = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                          .where(ApiToken.token_hash == digest(token))).first()
    if row is None or row.ApiToken.revoked or not row.User.active:
        return None
    return _principal(session, row.User)
