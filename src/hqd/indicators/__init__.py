"""Formula engine (指标计算): plans from catalog formulas, SQL for four engines, a Python evaluator,
and a vectorized evaluator for every org at once."""

from hqd.periods import Period, PeriodError

from .arrays import Computed, ElementCube, evaluate_all, evaluate_periods
from .evaluate import Result, evaluate, members
from .plan import Plan, plan, plan_formula, reason_label
from .sql import DIALECTS, CompileError, compile_sql

__all__ = [
    "DIALECTS", "CompileError", "Computed", "ElementCube", "Period", "PeriodError", "Plan", "Result", "compile_sql", "evaluate", "evaluate_all", "evaluate_periods", "members",
    "plan", "plan_formula", "reason_label",
]
