"""Outlier flags with robust statistics: median and MAD, against the org's own history and its peers.

Modified z-score (Iglewicz & Hoaglin): z = 0.6745 · (x − median) / MAD, flagged when |z| > 3.5.
Unlike mean ± k·SD it is not dragged by the outliers themselves and suits skewed counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

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


def against_peers(x: float, peers: Sequence[float]) -> Flag | None:
    """`peers`: the other orgs' values (without x)."""
    if len(peers) < MIN_PEERS:
        return None
    z, med = robust_z(x, peers)
    return Flag("peers", x, med, abs(z), len(peers)) if abs(z) > THRESHOLD else None


def peer_flags(values: dict[int, float]) -> dict[int, Flag]:
    """Leave-one-out peer check for a group of orgs' values of one element and period."""
    out: dict[int, Flag] = {}
    if len(values) <= MIN_PEERS:
        return out
    items = sorted(values.values())
    med = median(items)
    mad = median(abs(v - med) for v in items)
    for org_id, x in values.items():
        # Cheap screen with the full group's median/MAD; confirm leave-one-out only for suspects.
        if mad > 0 and abs(0.6745 * (x - med) / mad) <= THRESHOLD * 0.8:
            continue
        others = [v for k, v in values.items() if k != org_id]
        flag = against_peers(x, others)
        if flag:
            out[org_id] = flag
    return out
