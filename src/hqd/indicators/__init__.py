"""Formula engine (指标计算): plans from catalog formulas, SQL for four engines, a Python evaluator."""

from .evaluate import Result, evaluate, members
from .period import Period, PeriodError
from .plan import Plan, plan, plan_formula, reason_label
from .sql import DIALECTS, CompileError, compile_sql

__all__ = [
    "DIALECTS", "CompileError", "Period", "PeriodError", "Plan", "Result", "compile_sql", "evaluate", "members",
    "plan", "plan_formula", "reason_label",
]
