"""Errors with a Chinese message for the user; the CLI prints the message and exits with 2."""

from __future__ import annotations


class RecordsError(Exception):
    """Bad input or configuration in the records pipeline (message in Chinese)."""
