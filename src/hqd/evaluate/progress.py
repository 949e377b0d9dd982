"""Target progress (目标进展): how far a target is from being met by its deadline.

The method is Open SDG's (from Statistics Canada): compare the growth observed since the baseline
with the growth required to reach the target on time. ratio = observed / required;
≥ 0.95 进展顺利, 0.60–0.95 需加快, 0–0.60 进展缓慢, < 0 倒退. Growth is compound (CAGR) when all
values are positive, linear otherwise. A target without a deadline is judged by its own annual
growth in the desired direction (1.5 % / 0.5 % / 0 per year). Every threshold is configuration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hqd.periods import Period, date_time

ACHIEVED, ON_TRACK, ACCELERATE, LIMITED, DETERIORATING, NO_DATA = (
    "已达成", "进展顺利", "需加快", "进展缓慢", "倒退", "无数据"
)
STATUSES = (ACHIEVED, ON_TRACK, ACCELERATE, LIMITED, DETERIORATING, NO_DATA)
ACCEPTABLE_STATUSES = (ACHIEVED, ON_TRACK)
_PERCENT_CHANGE = {"%"}
_RANK_UNITS = {"个位次", "位次", "位", "名"}


@dataclass(frozen=True)
class Thresholds:
    on_track: float = 0.95
    accelerate: float = 0.60
    approx_tolerance: float = 0.05  # a "~" (左右) target is met within ±5 % of its value
    # annual growth in the desired direction for targets without a deadline (Open SDG defaults)
    no_deadline_on_track: float = 0.015
    no_deadline_accelerate: float = 0.005


@dataclass
class Progress:
    status: str
    direction: str  # up, down, within
    goal: float | None  # the level the target asks for (resolved for increase/decrease/range)
    baseline: tuple[str, float] | None
    latest: tuple[str, float] | None
    expected_now: float | None = None  # where the required path stands at the latest period
    projected: float | None = None  # the latest value carried to the deadline at the observed rate
    ratio: float | None = None
    observed_rate: float | None = None  # per year; compound when `compound`
    required_rate: float | None = None
    compound: bool = True
    overdue: bool = False
    reason: str = ""
    path: list[tuple[str, float]] = field(default_factory=list)  # required value per period


def resolve_goal(comparator: str, value: float | None, value_high: float | None, unit: str | None,
                 baseline: float | None, latest: float | None) -> tuple[float | None, str]:
    """(goal level, direction) of a target. increase/decrease are changes from the baseline."""
    if value is None:
        return None, "up"
    if comparator == ">=":
        return value, "up"
    if comparator == "<=":
        return value, "down"
    if comparator == "range":
        hi = value_high if value_high is not None else value
        if latest is not None and latest > hi:
            return hi, "down"
        return (value, "up") if latest is None or latest < value else (value, "within")
    if comparator in ("increase", "decrease"):
        if baseline is None:
            return None, "up" if comparator == "increase" else "down"
        if unit in _RANK_UNITS:  # 提升2个位次: a smaller rank number is better
            return baseline - value if comparator == "increase" else baseline + value, (
                "down" if comparator == "increase" else "up"
            )
        delta = baseline * value / 100 if unit in _PERCENT_CHANGE else value
        return (baseline + delta, "up") if comparator == "increase" else (baseline - delta, "down")
    # "=" and "~": toward the value from wherever the baseline is
    ref = baseline if baseline is not None else latest
    return value, ("down" if ref is not None and ref > value else "up")


def _met(comparator: str, value: float | None, value_high: float | None, goal: float | None, direction: str,
         latest: float, tolerance: float) -> bool:
    if goal is None:
        return False
    if comparator == "range":
        return value <= latest <= (value_high if value_high is not None else value)
    if comparator == "~":
        return abs(latest - goal) <= tolerance * abs(goal)
    return latest >= goal if direction == "up" else latest <= goal


def _rate(v0: float, v1: float, years: float, compound: bool) -> float:
    if compound:
        return (v1 / v0) ** (1 / years) - 1
    return (v1 - v0) / years


def _at(v0: float, rate: float, years: float, compound: bool) -> float:
    return v0 * (1 + rate) ** years if compound else v0 + rate * years


def assess(
    comparator: str,
    value: float | None,
    value_high: float | None,
    unit: str | None,
    deadline: str | None,
    observations: Sequence[tuple[str, float]],
    *,
    baseline: tuple[str, float] | None = None,
    as_of: str | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Progress:
    """Progress of one target from its observed values (period, value), oldest first or in any order."""
    obs = sorted(
        ((Period.parse(p), float(v)) for p, v in observations if v is not None and not math.isnan(float(v))),
        key=lambda pv: pv[0].end_time,
    )
    if as_of is not None:
        limit = Period.parse(as_of).end_time
        obs = [pv for pv in obs if pv[0].end_time <= limit]
    base = (Period.parse(baseline[0]), float(baseline[1])) if baseline else (obs[0] if obs else None)
    latest = obs[-1] if obs else None
    goal, direction = resolve_goal(comparator, value, value_high, unit,
                                   base[1] if base else None, latest[1] if latest else None)
    out = Progress(NO_DATA, direction, goal, _pv(base), _pv(latest))
    if latest is None:
        out.reason = "尚无监测数据"
        return out
    deadline_t = date_time(deadline) if deadline else None
    now_t = Period.parse(as_of).end_time if as_of else latest[0].end_time
    out.overdue = deadline_t is not None and now_t > deadline_t
    if _met(comparator, value, value_high, goal, direction, latest[1], thresholds.approx_tolerance):
        out.status, out.reason = ACHIEVED, f"最新值 {_fmt(latest[1])} 已达到目标"
        return out
    if goal is None or base is None or latest[0].end_time <= base[0].end_time:
        out.reason = "只有一期数据，无法判断趋势" if goal is not None else "缺少基线，无法换算目标值"
        return out

    years_obs = latest[0].end_time - base[0].end_time
    compound = base[1] > 0 and latest[1] > 0 and goal > 0
    out.compound = compound
    observed = _rate(base[1], latest[1], years_obs, compound)
    out.observed_rate = observed
    out.projected = _at(latest[1], observed, (deadline_t - latest[0].end_time), compound) if deadline_t else None
    sign = 1 if direction == "up" else -1
    if direction == "within":
        sign = 1 if goal >= latest[1] else -1

    if deadline_t is None or deadline_t <= base[0].end_time:
        growth = sign * (observed if compound else observed / abs(base[1] or 1))
        out.status = _band(growth, thresholds.no_deadline_on_track, thresholds.no_deadline_accelerate, 0.0)
        out.reason = f"无完成时限，按年均变化 {growth:+.1%} 判断"
        return out

    required = _rate(base[1], goal, deadline_t - base[0].end_time, compound)
    out.required_rate = required
    if sign * required <= 0:  # the baseline had met the target, and the latest value has lost it
        out.status = DETERIORATING
        out.reason = f"基线 {_fmt(base[1])}（{base[0]}）已达到目标 {_fmt(goal)}，最新 {_fmt(latest[1])}（{latest[0]}）又未达到"
        return out
    out.expected_now = _at(base[1], required, years_obs, compound)
    out.path = _path(base, goal, required, deadline_t, compound)
    out.ratio = observed / required
    out.status = _band(out.ratio, thresholds.on_track, thresholds.accelerate, 0.0)
    out.reason = (
        f"基线 {_fmt(base[1])}（{base[0]}），最新 {_fmt(latest[1])}（{latest[0]}），目标 {_fmt(goal)}；"
        f"实际年均变化为所需的 {out.ratio:.0%}"
        + (f"，按此趋势到期预计 {_fmt(out.projected)}" if out.projected is not None else "")
        + ("；已超过完成时限" if out.overdue else "")
    )
    return out


def _band(x: float, on_track: float, accelerate: float, limited: float) -> str:
    if x >= on_track:
        return ON_TRACK
    if x >= accelerate:
        return ACCELERATE
    if x >= limited:
        return LIMITED
    return DETERIORATING


def _path(base: tuple[Period, float], goal: float, rate: float, deadline_t: float, compound: bool):
    points, p = [], base[0]
    while p.end_time <= deadline_t + 1e-9 and len(points) < 400:
        points.append((str(p), round(_at(base[1], rate, p.end_time - base[0].end_time, compound), 6)))
        p = p.shift(1)
    return points


def _pv(pv: tuple[Period, float] | None) -> tuple[str, float] | None:
    return (str(pv[0]), pv[1]) if pv else None


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.4g}"


def assess_arrays(
    base: np.ndarray, t0: np.ndarray, latest: np.ndarray, t1: np.ndarray,
    goal: np.ndarray, up: np.ndarray, deadline_t: np.ndarray, thresholds: Thresholds = Thresholds(),
) -> tuple[np.ndarray, np.ndarray]:
    """`assess` for many targets at once (>= / <= goals already resolved): (status index into
    STATUSES, ratio). Used for whole-province evaluation; the scalar `assess` explains one target."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        have = ~np.isnan(latest) & ~np.isnan(goal)
        met = have & np.where(up, latest >= goal, latest <= goal)
        trend = have & ~met & ~np.isnan(base) & (t1 > t0)
        compound = (base > 0) & (latest > 0) & (goal > 0)
        years_obs = t1 - t0
        years_req = deadline_t - t0
        observed = np.where(compound, (latest / base) ** (1 / years_obs) - 1, (latest - base) / years_obs)
        required = np.where(compound, (goal / base) ** (1 / years_req) - 1, (goal - base) / years_req)
        sign = np.where(up, 1.0, -1.0)
        ratio = np.where(sign * required > 0, observed / required, -1.0)  # baseline had met it: lost since
        no_deadline = np.isnan(deadline_t) | (deadline_t <= t0)
        growth = sign * np.where(compound, observed, observed / np.where(base != 0, np.abs(base), 1.0))
        score = np.where(no_deadline, growth, ratio)
        hi = np.where(no_deadline, thresholds.no_deadline_on_track, thresholds.on_track)
        mid = np.where(no_deadline, thresholds.no_deadline_accelerate, thresholds.accelerate)
        band = np.select([score >= hi, score >= mid, score >= 0], [1, 2, 3], default=4)
    status = np.full(latest.shape, STATUSES.index(NO_DATA), dtype=np.int8)
    status[met] = STATUSES.index(ACHIEVED)
    status[trend] = band[trend]
    return status, np.where(trend & ~no_deadline, ratio, np.nan)
