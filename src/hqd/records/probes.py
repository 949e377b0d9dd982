"""Rule probes: prove, before the scans, which single-column rules no row breaks.

Evaluating every rule on every row costs more than all the measures together: most rules compare
strings or numbers that are, in a clean extract, always fine. A rule that reads one column can
instead be asked as one small query — how many rows break it? — which a columnar engine answers
from the file's statistics and dictionaries (DuckDB over Parquet: zone maps skip row groups whose
min/max rule the condition out; code checks are evaluated on the dictionary). Code and pattern
rules are asked of the column's distinct values. A rule with no breaking row is left out of the
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
        # MATERIALIZED keeps the engine from pushing the condition below DISTINCT (it would then
        # be evaluated on every row again).
        return (f"SELECT {i} AS rule, COUNT(*) AS n FROM (WITH d AS MATERIALIZED "
                f"(SELECT DISTINCT {rule.column} FROM {typed_view}) SELECT * FROM d WHERE {rule.condition}) AS p")
    return f"SELECT {i} AS rule, COUNT(*) AS n FROM {typed_view} WHERE {rule.condition}"


def rules_that_never_fire(engine: Engine, typed_view: str) -> frozenset[str]:
    """Messages of the single-column rules that no row of ``typed_view`` breaks (one query)."""
    candidates = [r for r in RULES if r.column is not None and not r.helper]
    _, rows = engine.query(" UNION ALL ".join(_probe_sql(typed_view, i, r) for i, r in enumerate(candidates)))
    return frozenset(candidates[int(i)].message for i, n in rows if int(n) == 0)
