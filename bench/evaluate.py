"""Benchmark: a province's full evaluation — 5,000 hospitals × 150 indicators × 20 quarters.

Stages: indicator values from numerators and denominators with roll-up to districts, cities and
the province; target progress for every org × indicator; 国考-style scoring for two years with rank
changes; the 督办 list. Baseline in the same run: the scalar, per-target `assess` on a sample,
extrapolated to all targets (what a straightforward loop would cost).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from hqd.evaluate import STATUSES, IndicatorMeta, ScoringRules, assess, rank_changes, score
from hqd.evaluate.alerts import group_by_unit, target_alert
from hqd.evaluate.progress import DETERIORATING, LIMITED, Progress, assess_arrays
from hqd.periods import Period, date_time


def main(orgs: int = 5000, indicators: int = 150, quarters: int = 20) -> None:
    rng = np.random.default_rng(2025)
    periods = [Period(2021 + q // 4, "Q", q % 4 + 1) for q in range(quarters)]
    districts, cities = orgs // 50, max(orgs // 500, 1)
    parent_district = rng.integers(0, districts, orgs)
    district_city = rng.integers(0, cities, districts)
    den = rng.integers(50, 5000, (quarters, orgs, indicators)).astype(float)
    trend = 1 + rng.normal(0.01, 0.02, (1, orgs, indicators)) * np.arange(quarters)[:, None, None]
    p0 = rng.uniform(0.05, 0.9, (1, orgs, indicators))
    num = np.minimum(rng.binomial(den.astype(int), np.clip(p0 * trend, 0, 1)).astype(float), den)
    meta = [IndicatorMeta(f"I{j:03d}", f"D{j % 4}", 0 if j % 10 == 9 else (1 if j % 3 else -1)) for j in range(indicators)]
    peer = np.array(["三级综合", "三级专科", "三级中医", "二级综合", "二级专科", "二级中医"])[rng.integers(0, 6, orgs)]
    timings: dict[str, float] = {}

    t = time.perf_counter()
    hosp = num / den * 100
    d_num = np.zeros((quarters, districts, indicators))
    d_den = np.zeros_like(d_num)
    np.add.at(d_num, (slice(None), parent_district), num)
    np.add.at(d_den, (slice(None), parent_district), den)
    c_num = np.zeros((quarters, cities, indicators))
    c_den = np.zeros_like(c_num)
    np.add.at(c_num, (slice(None), district_city), d_num)
    np.add.at(c_den, (slice(None), district_city), d_den)
    values = np.concatenate(
        [hosp, d_num / d_den * 100, c_num / c_den * 100, (c_num.sum(1) / c_den.sum(1) * 100)[:, None]], axis=1
    )  # sums of numerators and denominators, never averages of ratios
    timings["indicator values + roll-up"] = time.perf_counter() - t

    t = time.perf_counter()
    n_all = values.shape[1]
    goal = values[0] * rng.uniform(0.9, 1.3, (n_all, indicators))
    up = np.broadcast_to(np.array([m.direction >= 0 for m in meta]), (n_all, indicators))
    deadline = np.full((n_all, indicators), date_time("2025-12-31"))
    status, ratio = assess_arrays(values[0], np.full((n_all, indicators), periods[0].end_time), values[-1],
                                  np.full((n_all, indicators), periods[-1].end_time), goal, up, deadline)
    timings["target progress"] = time.perf_counter() - t

    t = time.perf_counter()
    year = [slice(quarters - 8, quarters - 4), slice(quarters - 4, quarters)]
    results = []
    for sl in year:
        y_num, y_den = num[sl].sum(0), den[sl].sum(0)
        results.append(score(y_num / y_den * 100, [f"H{i}" for i in range(orgs)], meta, list(peer),
                             ScoringRules(), numerators=y_num, denominators=y_den))
    changes = rank_changes(*results)
    timings["scoring (2 years) + rank changes"] = time.perf_counter() - t

    t = time.perf_counter()
    lag = np.flatnonzero(np.isin(status, [STATUSES.index(DETERIORATING), STATUSES.index(LIMITED)]).ravel())
    units = [f"{'医院' if o < orgs else '区域'}{o}" for o in range(n_all)]
    first, last = str(periods[0]), str(periods[-1])
    alerts = []
    for k in lag:
        o, j = divmod(int(k), indicators)
        p = Progress(STATUSES[status[o, j]], "up" if up[0, j] else "down", float(goal[o, j]),
                     (first, float(values[0, o, j])), (last, float(values[-1, o, j])), ratio=float(ratio[o, j]))
        alerts.append(target_alert(meta[j].code, units[o], [units[o]], p))
    grouped = group_by_unit(alerts)
    timings["督办 list"] = time.perf_counter() - t

    total = sum(timings.values())
    n_targets = status.size
    sample = 3000
    idx = rng.integers(0, n_targets, sample)
    t = time.perf_counter()
    for k in idx:
        o, j = divmod(int(k), indicators)
        assess(">=" if up[0, j] else "<=", float(goal[o, j]), None, "%", "2025-12-31",
               [(str(periods[0]), float(values[0, o, j])), (str(periods[-1]), float(values[-1, o, j]))])
    per_target = (time.perf_counter() - t) / sample
    print(f"evaluate: {orgs} hospitals + {n_all - orgs} regions × {indicators} indicators × {quarters} quarters")
    print(f"  full evaluation and scoring: {total:.2f} s (goal < 5 s: {'met' if total < 5 else 'NOT met'})")
    for stage, sec in timings.items():
        print(f"  stage {stage:34s} {sec:6.2f} s  {sec / total:6.1%}")
    print(f"  targets assessed: {n_targets:,}; statuses: "
          + ", ".join(f"{s} {np.count_nonzero(status == i):,}" for i, s in enumerate(STATUSES)))
    print(f"  baseline (scalar assess per target, {sample} sampled): {per_target * n_targets:.1f} s for all targets; "
          f"vectorized is {per_target * n_targets / timings['target progress']:.0f}x faster")
    moved = [v for v in changes.values() if v]
    print(f"  scored hospitals: {int(results[1].eligible.sum()):,}; rank changed: {len(moved):,}; "
          f"督办 items: {len(alerts):,} under {len(grouped)} units")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
