"""Target progress on hand-computed cases, one per status (Open SDG method)."""

from __future__ import annotations

import pytest

from hqd.evaluate import ACCELERATE, ACHIEVED, DETERIORATING, LIMITED, NO_DATA, ON_TRACK, assess

# 基层就诊率 ≥ 65% by 2025-12-31 (t = 2026.0); baseline 50 at 2022Q4 (t = 2023.0).
REQUIRED = (65 / 50) ** (1 / 3) - 1  # 9.14 % a year


def _goal(latest: float):
    return assess(">=", 65, None, "%", "2025-12-31", [("2022Q4", 50), ("2024Q4", latest)])


def test_on_track_with_projection_and_expected_value():
    p = _goal(60)
    observed = (60 / 50) ** (1 / 2) - 1  # 9.54 % a year, over the two years 2023.0 → 2025.0
    assert p.status == ON_TRACK
    assert p.ratio == pytest.approx(observed / REQUIRED)  # 1.044
    assert p.projected == pytest.approx(60 * (1 + observed))  # one more year: 65.73
    assert p.expected_now == pytest.approx(50 * (1 + REQUIRED) ** 2)  # 59.56
    assert p.path[0] == ("2022Q4", 50) and p.path[-1][0] == "2025Q4"
    assert p.path[-1][1] == pytest.approx(65)


@pytest.mark.parametrize(
    "latest, status, ratio",
    [
        (56, ACCELERATE, ((56 / 50) ** 0.5 - 1) / REQUIRED),  # 0.638
        (52, LIMITED, ((52 / 50) ** 0.5 - 1) / REQUIRED),  # 0.217
        (48, DETERIORATING, ((48 / 50) ** 0.5 - 1) / REQUIRED),  # negative
    ],
)
def test_bands(latest, status, ratio):
    p = _goal(latest)
    assert p.status == status and p.ratio == pytest.approx(ratio)


def test_achieved_and_no_data():
    assert _goal(66).status == ACHIEVED
    assert assess(">=", 65, None, "%", "2025-12-31", []).status == NO_DATA
    assert assess(">=", 65, None, "%", "2025-12-31", [("2024Q4", 60)]).status == NO_DATA


def test_lower_is_better():
    # 平均住院日 ≤ 7 天 by 2025: from 9.0 (2022) to 8.0 (2024)
    p = assess("<=", 7, None, "天", "2025-12-31", [("2022", 9.0), ("2024", 8.0)])
    required = (7 / 9) ** (1 / 3) - 1
    observed = (8 / 9) ** (1 / 2) - 1
    assert p.direction == "down"
    assert p.ratio == pytest.approx(observed / required)  # 0.711
    assert p.status == ACCELERATE


def test_range_decrease_increase_and_approx():
    # 床位使用率 85–93 %: 95 is above the range, the goal is its upper bound
    p = assess("range", 85, 93, "%", "2025-12-31", [("2022", 97), ("2024", 95)])
    assert p.goal == 93 and p.direction == "down"
    assert p.ratio == pytest.approx(((95 / 97) ** 0.5 - 1) / ((93 / 97) ** (1 / 3) - 1))  # 0.743
    assert p.status == ACCELERATE
    assert assess("range", 85, 93, "%", None, [("2024", 90)]).status == ACHIEVED
    # 普通门诊量减少30%以上 from 1000: the goal is 700
    p = assess("decrease", 30, None, "%", "2025-12-31", [("2022", 1000), ("2024", 800)])
    assert p.goal == pytest.approx(700) and p.direction == "down"
    # 提高5个百分点 from 40 %: the goal is 45
    assert assess("increase", 5, None, "个百分点", None, [("2022", 40), ("2024", 46)]).status == ACHIEVED
    # 排名每年提升2个位次 from 30th: a smaller rank number is better
    p = assess("increase", 2, None, "个位次", "2025-12-31", [("2023", 30), ("2024", 29)])
    assert p.goal == 28 and p.direction == "down"
    # 45%左右 is met within ±5 % of 45
    assert assess("~", 45, None, "%", None, [("2024", 46.5)]).status == ACHIEVED


def test_linear_growth_when_values_are_not_positive_and_no_deadline_rule():
    # an indicator that crosses zero cannot use compound growth
    p = assess(">=", 2, None, "%", "2025-12-31", [("2022", -1.0), ("2024", 0.5)])
    assert not p.compound
    assert p.ratio == pytest.approx(((0.5 + 1.0) / 2) / ((2 + 1.0) / 3))  # 0.75
    # without a deadline: annual growth in the desired direction against 1.5 % / 0.5 %
    p = assess(">=", 80, None, "%", None, [("2022", 50), ("2024", 51)])  # +0.995 % a year
    assert p.status == ACCELERATE and "无完成时限" in p.reason
    assert assess(">=", 80, None, "%", None, [("2022", 50), ("2024", 50.2)]).status == LIMITED  # +0.2 %


def test_overdue_flag_and_as_of():
    p = assess(">=", 65, None, "%", "2023-12-31", [("2022Q4", 50), ("2024Q4", 60)])
    assert p.overdue and "超过完成时限" in p.reason
    p = assess(">=", 65, None, "%", "2025-12-31", [("2022Q4", 50), ("2023Q4", 55), ("2024Q4", 66)], as_of="2023Q4")
    assert p.latest == ("2023Q4", 55) and p.status != ACHIEVED


def test_array_assessment_agrees_with_the_scalar_one():
    import numpy as np

    from hqd.evaluate import STATUSES
    from hqd.evaluate.progress import assess_arrays
    from hqd.periods import Period, date_time

    rng = np.random.default_rng(7)
    n = 400
    base = rng.uniform(-5, 100, n)
    latest = base + rng.normal(0, 10, n)
    goal = base + rng.normal(5, 15, n)
    up = rng.random(n) < 0.6
    deadlines = rng.choice(["2025-12-31", "2027-06-30", None], n)
    dl = np.array([date_time(d) if d else np.nan for d in deadlines])
    status, ratio = assess_arrays(base, np.full(n, Period.parse("2022").end_time), latest,
                                  np.full(n, Period.parse("2024").end_time), goal, up, dl)
    for i in range(n):
        p = assess(">=" if up[i] else "<=", goal[i], None, "%", deadlines[i], [("2022", base[i]), ("2024", latest[i])])
        assert STATUSES[status[i]] == p.status, i
        if p.ratio is not None:
            assert ratio[i] == pytest.approx(p.ratio)


def test_a_target_met_at_baseline_and_lost_since_is_deterioration():
    # 70 % at baseline already met ≥65 %; at 60 % it has been lost, whatever the rates say
    p = assess(">=", 65, None, "%", "2025-12-31", [("2024Q2", 70), ("2025Q2", 60)])
    assert p.status == DETERIORATING and "已达到目标" in p.reason
