"""Users, roles and org-scoped access (issue #8). The web app's `context.py` is the only caller that
decides per request; this package owns the rules and the tables behind them."""

from .passwords import PasswordError, check_password_rules, hash_password, verify_password
from .roles import ROLE_NAMES, ROLES, Role
from .users import (
    AccessError,
    Principal,
    Throttle,
    authenticate,
    create_token,
    create_user,
    disable_user,
    list_users,
    principal_for_session,
    principal_for_token,
    purge_expired,
    sign_in,
    sign_out,
)

__all__ = [
    "ROLES", "ROLE_NAMES", "AccessError", "PasswordError", "Principal", "Role", "Throttle", "authenticate",
    "check_password_rules", "create_token", "create_user", "disable_user", "hash_password", "list_users",
    "principal_for_session", "principal_for_token", "purge_expired", "sign_in", "sign_out", "verify_password",
]
