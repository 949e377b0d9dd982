"""Text → Ledger: the extraction pipeline (metadata, outline, units, targets, deadlines)."""

from __future__ import annotations

from .models import Ledger


def extract_ledger(text: str, file: str = "") -> Ledger:
    return Ledger(file=file)
