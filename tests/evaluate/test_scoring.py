"""Scoring on a hand-computed peer group: standardization, dimensions, re-normalized weights,
minimum data, banding, ranks, rank changes, explanations and shrinkage."""

from __future__ import annotations

import numpy as np
import pytest

from hqd.evaluate import IndicatorMeta, ScoringRules, explain, rank_changes, score, shrink_rates

NAN = np.nan
ORGS = ["H1", "H2", "H3", "H4", "H5"]
META = [
    IndicatorMeta("I1", "A", +1),
    IndicatorMeta("I2", "A", -1),
    IndicatorMeta("I3", "B", +1),
    IndicatorMeta("I4", "B", 0),  # monitored only: never scored
]
VALUES = np.array(
    [
        [10, 5, NAN, 7],
        [20, 4, 1, 7],
        [30, 3, 2, 7],
        [40, 2, 3, 7],
        [50, 1, 4, 7],
    ],
    dtype=float,
)
RULES = ScoringRules(min_orgs_per_indicator=3, min_dimensions=2, dimension_weights={"A": 2, "B": 1})


def _result():
    return score(VALUES, ORGS, META, ["三级综合"] * 5, RULES)


def test_percentiles_dimensions_and_renormalized_weights():
    r = _result()
    # I1 and I2 (lower is better) both rank H1..H5 at 0, 25, 50, 75, 100; I3 ranks H2..H5 at 0, 33.3, 66.7, 100
    assert r.indicator_scores[:, 0] == pytest.approx([0, 25, 50, 75, 100])
    assert r.indicator_scores[:, 1] == pytest.approx([0, 25, 50, 75, 100])
    assert np.isnan(r.indicator_scores[0, 2]) and np.isnan(r.indicator_scores[:, 3]).all()
    # summary = (2·A + 1·B) / 3; H1 has dimension A only and needs two: not eligible
    assert not r.eligible[0] and "少于规则要求" in r.reasons[0]
    assert r.score[1:] == pytest.approx([(2 * 25 + 0) / 3, (2 * 50 + 100 / 3) / 3, (2 * 75 + 200 / 3) / 3, 100])
    assert r.rules.dimension_weights == {"A": 2, "B": 1}


def test_weights_renormalize_over_present_dimensions():
    rules = ScoringRules(min_orgs_per_indicator=3, min_dimensions=1, dimension_weights={"A": 2, "B": 1})
    r = score(VALUES, ORGS, META, ["g"] * 5, rules)
    assert r.eligible[0] and r.score[0] == pytest.approx(0.0)  # A only, weight 2/2


def test_ranks_grades_and_rank_changes():
    r = _result()
    assert list(r.rank) == [0, 4, 3, 2, 1]
    # rank percentiles 1/4, 2/4, 3/4, 4/4 → A (≤30 %), B++ (≤50 %), B (≤90 %), C
    assert r.grade == [None, "C", "B", "B++", "A"]
    earlier = score(VALUES[::-1], ORGS, META, ["三级综合"] * 5, RULES)  # H2 was 2nd, now 4th
    changes = rank_changes(earlier, r)
    assert changes["H2"] == earlier.rank[1] - 4
    assert changes["H1"] is None


def test_explanation_names_the_indicator_that_moved_the_score_most():
    r = _result()
    # H2: I3 is 50 points under its peers' mean and carries 1/3 of the summary;
    # I1 and I2 are 25 under and carry 1/3 each split over two indicators (1/3 each → 2/3 / 2)
    top = explain(r, "H2")
    assert top[0][0] == "I3"
    assert top[0][1] == pytest.approx(-50 / 3, abs=1e-3)
    assert dict(top)["I1"] == pytest.approx(-25 / 3, abs=1e-3)


def test_peer_groups_are_ranked_separately():
    r = score(VALUES, ORGS, META, ["综合", "综合", "综合", "专科", "专科"],
              ScoringRules(min_orgs_per_indicator=2, min_dimensions=1))
    assert sorted(r.rank[3:]) == [1, 2] and sorted(r.rank[:3]) == [1, 2, 3]


def test_small_denominators_shrink_toward_the_peer_rate():
    num = np.array([[500.0], [300.0], [1.0]])
    den = np.array([[1000.0], [1000.0], [10.0]])
    peer = 801 / 2010
    noise = [peer * (1 - peer) / 1000, peer * (1 - peer) / 1000, peer * (1 - peer) / 10]
    signal = np.var([0.5, 0.3, 0.1]) - np.mean(noise)
    w = [signal / (signal + n) for n in noise]
    got = shrink_rates(num, den, np.array(["g", "g", "g"]))[:, 0]
    assert got == pytest.approx([w[0] * 0.5 + (1 - w[0]) * peer, w[1] * 0.3 + (1 - w[1]) * peer,
                                 w[2] * 0.1 + (1 - w[2]) * peer])
    assert 0.26 < got[2] < 0.28  # the 10-case hospital is pulled most: 0.1 → 0.268
