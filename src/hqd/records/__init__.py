"""Record-level data: 病案首页 discharge abstracts → per-record measure flags → data values.

DuckDB by default (in-process, out of core); Apache Spark for scale, from the same SQL.
See docs/records.md.
"""

from .errors import RecordsError
from .measures import MEASURES
from .pipeline import ComputeResult, DataValue, Rate, RejectReport, Session, check, compute

__all__ = [
    "MEASURES",
    "ComputeResult",
    "DataValue",
    "Rate",
    "RecordsError",
    "RejectReport",
    "Session",
    "check",
    "compute",
]
