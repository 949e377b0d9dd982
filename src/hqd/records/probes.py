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

Before any query, the files' own statistics are read once (``Engine.column_stats``: per row group
the null count, min and max, from the cached footers): a rule that fires only on NULL, or only on
values outside bounds (integer codes without gaps, ranges, negative costs — even over several
columns), is ruled out when no row group can hold such a value. Only the rules the statistics leave
(text code lists, the ICD-10 pattern, empty strings where the minimum does not rule them out) are
asked as queries.

Only for engines whose scans push filters into the files (``Engine.probes``) and typed sources
(Parquet): elsewhere each probe would be a full scan and every rule simply stays.
"""

from __future__ import annotations

from .engines import ColumnStats, Engine
from .schema import RULES, Rule


def _probe_sql(typed_view: str, i: int, rule: Rule) -> str:
    if rule.on_distinct:
        # COUNT_IF rather than WHERE: a filter would be pushed below DISTINCT and evaluated on
        # every row again.
        return (f"SELECT {i} AS rule, COUNT_IF({rule.condition}) AS n "
                f"FROM (SELECT DISTINCT {rule.column} FROM {typed_view}) AS d")
    return f"SELECT {i} AS rule, COUNT(*) AS n FROM {typed_view} WHERE {rule.condition}"


def _candidates() -> list[Rule]:
    return [r for r in RULES if r.column is not None and not r.helper]


def probed_rules() -> frozenset[str]:
    """Messages of the rules the probes ask about."""
    return frozenset(r.message for r in _candidates())


def proven_by_stats(rule: Rule, stats: dict[str, ColumnStats]) -> bool:
    """Whether the files' statistics show that no row breaks ``rule``."""
    if rule.proof in ("null", "null_or_empty"):
        st = stats.get(rule.column or "")
        # '' is the least string: a minimum (or a lower bound of it) above '' rules it out.
        return st is not None and st.nulls == 0 and (rule.proof == "null" or st.low not in (None, ""))
    if rule.proof == "range":
        for column, low, high in rule.bounds:
            st = stats.get(column)
            if st is None:
                return False
            if st.low is not None and ((low is not None and st.low < low) or (high is not None and st.high > high)):
                return False
        return True
    return False


def rules_that_never_fire(engine: Engine, typed_view: str, stats: dict[str, ColumnStats] | None = None
                          ) -> frozenset[str]:
    """Messages of the rules that no row of ``typed_view`` breaks: those the files' statistics
    rule out (``stats``, see ``Engine.column_stats``), then the single-column rules that a query
    finds no row breaking."""
    candidates = _candidates()
    never = {r.message for r in RULES if not r.helper and stats and proven_by_stats(r, stats)}
    # One query per rule: as a UNION ALL they run slower (the branches compete for the threads).
    for i, r in enumerate(candidates):
        if r.message in never:
            continue
        _, rows = engine.query(_probe_sql(typed_view, i, r))
        if int(rows[0][1]) == 0:
            never.add(r.message)
    return frozenset(never)
