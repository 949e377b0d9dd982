"""The operational store: plans, tasks, targets, orgs, data sets and data values (SQLite or PostgreSQL)."""

from .db import Store, make_engine, open_store, upgrade
from .errors import ConflictError, LockedError, StoreError
from .values import ValueWrite, get_value, set_value, write_values

__all__ = [
    "ConflictError", "LockedError", "Store", "StoreError", "ValueWrite", "get_value", "make_engine",
    "open_store", "set_value", "upgrade", "write_values",
]
