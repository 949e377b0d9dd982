"""Errors the store raises; their messages are shown to users as they are (Simplified Chinese)."""

from __future__ import annotations


class StoreError(Exception):
    """Bad input or a refused operation; `problems` lists every problem found, one per line."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ConflictError(StoreError):
    """Somebody else changed the same record since it was read (optimistic versioning)."""


class LockedError(StoreError):
    """The values are locked: the submission is submitted or approved, or entry has closed."""
