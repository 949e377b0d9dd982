"""Hospital scoring and ranking in the 国考 style, with every rule as configuration.

Following the CMS Overall Star Rating (2021+) and AHRQ's reliability weighting, as DESIGN.md asks:
1. small denominators are shrunk toward the peer-group rate (reliability weighting);
2. indicators reported by too few peers are dropped; each remaining indicator is standardized
   across the peer group with its direction (percentile position by default, or z-score);
3. indicator scores are averaged within their dimension (维度) when the hospital has enough of them;
4. dimension weights are re-normalized over the dimensions a hospital has; a hospital needs a minimum
   number of dimensions to be scored;
5. hospitals are ranked within their peer group (level × type) and banded into grades by rank
   percentile (A++ … C, the commonly cited but unofficial cut-offs).
Every result carries the rule set that made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

# A++ top 1 %, A+ 1–10 %, A 10–30 %, B++ 30–50 %, B+ 50–70 %, B 70–90 %, C the rest (unofficial).
DEFAULT_GRADES: tuple[tuple[str, float], ...] = (
    ("A++", 0.01), ("A+", 0.10), ("A", 0.30), ("B++", 0.50), ("B+", 0.70), ("B", 0.90), ("C", 1.00)
)


@dataclass(frozen=True)
class ScoringRules:
    name: str = "国考式综合评分（默认规则，非官方）"
    version: str = "2025.1"
    method: str = "percentile"  # percentile | zscore
    min_orgs_per_indicator: int = 5  # an indicator needs this many reporting peers to count
    min_indicators_per_dimension: int = 1
    min_dimensions: int = 2
    dimension_weights: dict[str, float] = field(default_factory=dict)  # missing → equal weights
    shrink_small_denominators: bool = True
    grades: tuple[tuple[str, float], ...] = DEFAULT_GRADES

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IndicatorMeta:
    code: str
    dimension: str
    direction: int  # +1 higher is better, -1 lower is better, 0 monitored only (not scored)


@dataclass
class ScoreResult:
    orgs: list[str]
    indicators: list[str]
    peer_groups: list[str]
    score: np.ndarray  # summary score per org (NaN when not eligible)
    dimension_scores: dict[str, np.ndarray]
    indicator_scores: np.ndarray  # orgs × indicators, NaN where not scored
    rank: np.ndarray  # rank within the peer group, 1 = best; 0 when not eligible
    grade: list[str | None]
    eligible: np.ndarray
    reasons: list[str]
    rules: ScoringRules
    contributions: np.ndarray  # orgs × indicators: share of the summary above/below the peer average

    def row(self, org: str) -> dict:
        i = self.orgs.index(org)
        return {
            "org": org, "peer_group": self.peer_groups[i], "score": _num(self.score[i]),
            "rank": int(self.rank[i]) or None, "grade": self.grade[i], "eligible": bool(self.eligible[i]),
            "reason": self.reasons[i],
            "dimensions": {d: _num(v[i]) for d, v in self.dimension_scores.items()},
        }


def shrink_rates(num: np.ndarray, den: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Reliability-weighted proportions: w·rate + (1−w)·peer rate, w = signal / (signal + noise_i).

    Works column by column on orgs × indicators arrays; NaN where there is no denominator."""
    rates = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    out = rates.copy()
    for g in np.unique(groups):
        rows = groups == g
        r, n = rates[rows], den[rows]
        have = ~np.isnan(r)
        tot_den = np.where(have, n, 0).sum(axis=0)
        peer = np.where(tot_den > 0, np.where(have, num[rows], 0).sum(axis=0) / np.maximum(tot_den, 1e-12), np.nan)
        noise = np.where(have, peer * (1 - peer) / np.maximum(n, 1e-12), 0.0)
        count = np.maximum(have.sum(axis=0), 1)
        mean = np.where(have, r, 0).sum(axis=0) / count
        variance = np.where(have, (r - mean) ** 2, 0).sum(axis=0) / count
        signal = np.maximum(variance - noise.sum(axis=0) / count, 1e-12)
        w = signal / (signal + noise)
        out[rows] = np.where(have, w * r + (1 - w) * peer, np.nan)
    return out


def _standardize(col: np.ndarray, direction: int, method: str) -> np.ndarray:
    """Score of one indicator across peers: percentile position 0–100 (or z), higher is better."""
    have = ~np.isnan(col)
    out = np.full(col.shape, np.nan)
    x = col[have] * direction
    if method == "zscore":
        sd = x.std()
        out[have] = (x - x.mean()) / sd if sd > 0 else 0.0
        return out
    # mid-rank percentile: ties share the average position
    order = x.argsort(kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    mid = sums[inverse] / counts[inverse]
    out[have] = 100.0 * mid / max(len(x) - 1, 1)
    return out


def score(
    values: np.ndarray,
    orgs: Sequence[str],
    meta: Sequence[IndicatorMeta],
    peer_groups: Sequence[str],
    rules: ScoringRules = ScoringRules(),
    numerators: np.ndarray | None = None,
    denominators: np.ndarray | None = None,
) -> ScoreResult:
    """Score orgs × indicators `values` (NaN = not reported). Where numerators and denominators are
    given (proportion indicators), small denominators are shrunk before standardizing."""
    values = np.asarray(values, dtype=float)
    groups = np.asarray(peer_groups)
    n_org, n_ind = values.shape
    if rules.shrink_small_denominators and numerators is not None and denominators is not None:
        num, den = np.asarray(numerators, float), np.asarray(denominators, float)
        proportion = ~np.isnan(den).all(axis=0)
        shrunk = shrink_rates(np.nan_to_num(num), np.nan_to_num(den), groups)
        # standardizing is scale-free, so the shrunk proportion stands in for the ×100 value
        values = np.where(proportion & ~np.isnan(values), shrunk, values)

    directions = np.array([m.direction for m in meta])
    ind_scores = np.full((n_org, n_ind), np.nan)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        for j in range(n_ind):
            col = values[rows, j]
            if directions[j] == 0 or np.count_nonzero(~np.isnan(col)) < rules.min_orgs_per_indicator:
                continue
            ind_scores[rows, j] = _standardize(col, int(directions[j]), rules.method)

    dims = sorted({m.dimension for m in meta})
    weights = {d: rules.dimension_weights.get(d, 1.0) for d in dims}
    dim_scores: dict[str, np.ndarray] = {}
    for d in dims:
        cols = [j for j, m in enumerate(meta) if m.dimension == d]
        block = ind_scores[:, cols]
        count = np.count_nonzero(~np.isnan(block), axis=1)
        mean = np.nansum(block, axis=1) / np.maximum(count, 1)
        dim_scores[d] = np.where((count > 0) & (count >= rules.min_indicators_per_dimension), mean, np.nan)

    dim_matrix = np.column_stack([dim_scores[d] for d in dims]) if dims else np.empty((n_org, 0))
    w = np.array([weights[d] for d in dims])
    present = ~np.isnan(dim_matrix)
    wsum = (present * w).sum(axis=1)
    summary = np.where(
        wsum > 0, np.nansum(np.where(present, dim_matrix, 0) * w, axis=1) / np.where(wsum > 0, wsum, 1), np.nan
    )
    n_dims = present.sum(axis=1)
    eligible = n_dims >= rules.min_dimensions
    reasons = [
        "" if ok else f"有效维度 {k} 个，少于规则要求的 {rules.min_dimensions} 个，不参与排名"
        for ok, k in zip(eligible, n_dims, strict=True)
    ]
    summary = np.where(eligible, summary, np.nan)

    rank = np.zeros(n_org, dtype=int)
    grade: list[str | None] = [None] * n_org
    for g in np.unique(groups):
        rows = np.flatnonzero((groups == g) & eligible)
        order = rows[np.argsort(-summary[rows], kind="mergesort")]
        for k, i in enumerate(order):
            rank[i] = k + 1
            position = (k + 1) / len(order)
            grade[i] = next(name for name, upto in rules.grades if position <= upto + 1e-12)

    # Contributions: how far each indicator puts an org above or below its peers, weighted as in the summary.
    dim_of = np.array([dims.index(m.dimension) for m in meta])
    scored = ~np.isnan(ind_scores)
    n_in_dim = np.stack([scored[:, dim_of == d].sum(axis=1) for d in range(len(dims))], axis=1)  # orgs × dims
    share = np.where(
        (n_in_dim[:, dim_of] > 0) & (wsum[:, None] > 0),
        w[dim_of][None, :] / np.maximum(wsum, 1e-12)[:, None] / np.maximum(n_in_dim[:, dim_of], 1),
        0.0,
    )
    contrib = np.zeros((n_org, n_ind))
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        block = ind_scores[rows]
        peer_mean = np.nansum(block, axis=0) / np.maximum(np.count_nonzero(~np.isnan(block), axis=0), 1)
        contrib[rows] = share[rows] * np.nan_to_num(block - peer_mean)
    return ScoreResult(list(orgs), [m.code for m in meta], list(peer_groups), summary, dim_scores, ind_scores,
                       rank, grade, eligible, reasons, rules, contrib)


def explain(result: ScoreResult, org: str, top: int = 5) -> list[tuple[str, float]]:
    """The indicators that moved an org's score most, as (indicator, points above/below peers)."""
    i = result.orgs.index(org)
    row = result.contributions[i]
    order = np.argsort(-np.abs(row), kind="mergesort")
    return [(result.indicators[j], round(float(row[j]), 3)) for j in order[:top] if row[j] != 0]


def rank_changes(previous: ScoreResult, current: ScoreResult) -> dict[str, int | None]:
    """Places gained (+) or lost (−) in the peer-group rank since the previous result (每年提升2个位次)."""
    before = {o: int(r) for o, r in zip(previous.orgs, previous.rank, strict=True) if r}
    out: dict[str, int | None] = {}
    for o, r in zip(current.orgs, current.rank, strict=True):
        out[o] = before[o] - int(r) if r and o in before else None
    return out


def _num(x) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), 4)
