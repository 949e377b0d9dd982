"""Password hashing (argon2id via argon2-cffi) and the password rules, with Chinese messages."""

from __future__ import annotations

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this keeps an unknown user name as slow as a wrong password (no user enumeration by timing).
DUMMY_HASH = _hasher.hash("hqd-no-such-user")


class PasswordError(ValueError):
    pass


def check_password_rules(password: str, username: str = "") -> None:
    """At least 10 characters from at least three of: upper case, lower case, digits, other symbols."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"密码至少 {MIN_LENGTH} 位")
    if len(password) > 128:
        raise PasswordError("密码不能超过 128 位")
    classes = sum([any(c in string.ascii_uppercase for c in password), any(c in string.ascii_lowercase for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)])
    if classes < 3:
        raise PasswordError("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    if username and username.lower() in password.lower():
        raise PasswordError("密码不能包含用户名")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
