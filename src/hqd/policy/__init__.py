"""Policy documents → task ledgers (任务台账). Pure: no I/O but reading the file."""

from .errors import PolicyInputError
from .extract import extract_ledger
from .models import CitedPolicy, Heading, Ledger, Target, Task

__all__ = ["CitedPolicy", "Heading", "Ledger", "PolicyInputError", "Target", "Task", "extract_ledger"]
