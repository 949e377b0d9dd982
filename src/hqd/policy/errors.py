"""Errors raised for input the policy reader cannot use; messages are for users, in Chinese."""

from __future__ import annotations


class PolicyInputError(Exception):
    """A document that cannot be read: the message names the file and the reason."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
