"""Outlier flags with robust statistics: median and MAD, against the org's own history and its peers.

Modified z-score (Iglewicz & Hoaglin): z = 0.6745 · (x − median) / MAD, flagged when |z| > 3.5.
Unlike mean ± k·SD it is not dragged by the outliers themselves and suits skewed counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

import numpy as np

THRESHOLD = 3.5
MIN_HISTORY = 4
MIN_PEERS = 5


@dataclass
class Flag:
    kind: str  # history / peers
    value: float
    median: float
    z: float
    n: int

    def message(self) -> str:
        who = f"本机构近 {self.n} 期历史" if self.kind == "history" else f"同类机构（{self.n} 家）"
        z = "∞" if self.z == float("inf") else f"{self.z:.1f}"
        return f"数值 {_fmt(self.value)} 明显偏离{who}的中位数 {_fmt(self.median)}（稳健 z 值 {z}），请核实"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.4g}"


def robust_z(x: float, sample: Sequence[float]) -> tuple[float, float]:
    """(modified z-score of x against sample, sample median)."""
    med = median(sample)
    deviations = [abs(v - med) for v in sample]
    mad = median(deviations)
    if mad > 0:
        return 0.6745 * (x - med) / mad, med
    # More than half the sample is identical: fall back to the mean absolute deviation.
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad > 0:
        return (x - med) / (1.253314 * mean_ad), med
    return (0.0 if x == med else float("inf")), med


def against_history(x: float, history: Sequence[float]) -> Flag | None:
    if len(history) < MIN_HISTORY:
        return None
    z, med = robust_z(x, history)
    return Flag("history", x, med, abs(z), len(history)) if abs(z) > THRESHOLD else None


def against_histories(xs: Sequence[float], histories: Sequence[Sequence[float]]) -> list[Flag | None]:
    """`against_history` for many values at once (a region's whole quarter), as arrays."""
    out: list[Flag | None] = [None] * len(xs)
    width = max((len(h) for h in histories), default=0)
    sample = np.full((len(xs), width), np.nan)
    for i, h in enumerate(histories):
        sample[i, :len(h)] = h
    for i, flag in history_flags(np.asarray(xs, dtype=float), sample):
        out[i] = flag
    return out


def history_flags(x: np.ndarray, sample: np.ndarray) -> list[tuple[int, Flag]]:
    """(row, flag) of each x[i] far from its own history, row i of `sample` (NaN: no value)."""
    n = (~np.isnan(sample)).sum(axis=1) if sample.size else np.zeros(len(x), dtype=np.int64)
    rows = np.flatnonzero(n >= MIN_HISTORY)
    if not len(rows):
        return []
    z, med = _robust_z_rows(x[rows], sample[rows])
    return [(int(rows[i]), Flag("history", float(x[rows[i]]), float(med[i]), float(abs(z[i])), int(n[rows[i]])))
            for i in np.flatnonzero(np.abs(z) > THRESHOLD)]


def against_peers(x: float, peers: Sequence[float]) -> Flag | None:
    """`peers`: the other orgs' values (without x)."""
    if len(peers) < MIN_PEERS:
        return None
    z, med = robust_z(x, peers)
    return Flag("peers", x, med, abs(z), len(peers)) if abs(z) > THRESHOLD else None


def peer_flags(values: dict[int, float]) -> dict[int, Flag]:
    """Leave-one-out peer check for a group of orgs' values of one element and period: each value
    against the others' median and MAD. Exact, in O(n log n): removing one member shifts a median
    by order-statistic arithmetic, so only the medians' few distinct values need sorted deviations."""
    out: dict[int, Flag] = {}
    n = len(values)
    if n <= MIN_PEERS:
        return out
    ids = list(values)
    group = np.fromiter(values.values(), dtype=float, count=n)
    order = np.argsort(group, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    med = _median_without(group[order], rank)
    mad, mean_ad = np.empty(n), np.empty(n)
    for m in np.unique(med):
        members = np.flatnonzero(med == m)
        dev = np.abs(group - m)
        dev_order = np.argsort(dev, kind="stable")
        dev_rank = np.empty(n, dtype=np.int64)
        dev_rank[dev_order] = np.arange(n)
        mad[members] = _median_without(dev[dev_order], dev_rank[members])
        mean_ad[members] = (dev.sum() - dev[members]) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mad > 0, 0.6745 * (group - med) / mad,
                     np.where(mean_ad > 0, (group - med) / (1.253314 * mean_ad), np.where(group == med, 0.0, np.inf)))
    for i in np.flatnonzero(np.abs(z) > THRESHOLD):
        out[ids[i]] = Flag("peers", float(group[i]), float(med[i]), float(abs(z[i])), n - 1)
    return out


def _median_without(ordered: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """For each rank r, the median of the sorted array without its element at position r."""
    m = len(ordered) - 1

    def at(k: int) -> np.ndarray:
        return ordered[np.where(k < ranks, k, k + 1)]

    return at(m // 2) if m % 2 else (at(m // 2 - 1) + at(m // 2)) / 2


def _robust_z_rows(x: np.ndarray, sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`robust_z` of x[i] against row i of sample (NaN: no value), same rules, as arrays."""
    median_of, mean_of = (np.nanmedian, np.nanmean) if np.isnan(sample).any() else (np.median, np.mean)
    med = median_of(sample, axis=1)
    dev = np.abs(sample - med[:, None])
    mad, mean_ad = median_of(dev, axis=1), mean_of(dev, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mad > 0, 0.6745 * (x - med) / mad,
                     np.where(mean_ad > 0, (x - med) / (1.253314 * mean_ad), np.where(x == med, 0.0, np.inf)))
    return z, med
