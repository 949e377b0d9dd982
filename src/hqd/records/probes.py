"""Rule probes: prove, before the scans, which single-column rules no row breaks.

Evaluating every rule on every row costs more than all the measures together: most rules compare
strings or numbers that are, in a clean extract, always fine. A rule that reads one column can
instead be asked as one small query — how many rows break it? — which a columnar engine answers
from the file's statistics and dictionaries (DuckDB over Parquet: zone maps skip row groups whose
min/max rule the condition out; code checks are evaluated on the dictionary). Code and pattern
rules are asked of the column's distinct values where the condition cannot use the dictionary (the
ICD-10 pattern). A rule with no breaking row is left out of the
per-row validation: it names no row, so leaving it out changes no row's reason. Every other rule
stays, and breaking rows are counted and set aside exactly as before.

Only for engines whose scans push filters into the files (``Engine.probes``) and typed sources
(Parquet): elsewhere each probe would be a full scan and every rule simply stays.
"""

from __future__ import annotations

from .engines import Engine
from .schema import RULES, Rule


def _probe_sql(typed_view: str, i: int, rule: Rule) -> str:
    if rule.on_distinct:
        # COUNT_IF rather than WHERE: a filter would be pushed below DISTINCT and evaluated on
        # every row again.
        return (f"SELECT {i} AS rule, COUNT_IF({rule.condition}) AS n "
                f"FROM (SELECT DISTINCT {rule.column} FROM {typed_view}) AS d")
    return f"SELECT {i} AS rule, COUNT(*) AS n FROM {typed_view} WHERE {rule.condition}"


def rules_that_never_fire(engine: Engine, typed_view: str) -> frozenset[str]:
    """Messages of the single-column rules that no row of ``typed_view`` breaks."""
    candidates = [r for r in RULES if r.column is not None and not r.helper]
    # One query per rule: as a UNION ALL they run slower (the branches compete for the threads).
    never = set()
    for i, r in enumerate(candidates):
        _, rows = engine.query(_probe_sql(typed_view, i, r))
        if int(rows[0][1]) == 0:
            never.add(r.message)
    return frozenset(never)
