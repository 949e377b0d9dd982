"""Evaluation (评价): target progress, hospital scoring and ranking, 督办 alerts. Pure: values in, values out."""

from .progress import (
    ACCELERATE,
    ACHIEVED,
    DETERIORATING,
    LIMITED,
    NO_DATA,
    ON_TRACK,
    STATUSES,
    Progress,
    Thresholds,
    assess,
    resolve_goal,
)
from .scoring import IndicatorMeta, ScoreResult, ScoringRules, explain, rank_changes, score, shrink_rates

__all__ = [
    "ACCELERATE", "ACHIEVED", "DETERIORATING", "IndicatorMeta", "LIMITED", "NO_DATA", "ON_TRACK", "Progress",
    "STATUSES", "ScoreResult", "ScoringRules", "Thresholds", "assess", "explain", "rank_changes", "resolve_goal",
    "score", "shrink_rates",
]
