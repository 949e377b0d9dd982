"""The reference population per DRG group: mortality risk stratum, mean cost, mean LOS, weight.

Computed in Python from per-group sums that the engine returns (a few hundred rows), then
registered back into the engine as the ``ref_drg`` table. Doing this step once, outside SQL, keeps
the low-risk classification identical on every engine.

低风险组 (indicators.md §1.3 #14): a DRG group is low-risk when the z-score of its in-hospital
mortality across all groups is below −1 [S, S6]. The z-score is taken of ln(mortality), the usual
implementation [U]; groups with no deaths have no logarithm and are counted as low-risk by default
(``HQD_RECORDS_LOWRISK_ZERO_DEATHS=exclude`` turns that off). The threshold, that rule and a
minimum group size are settings. The standard deviation is the sample one (n − 1).

The reference population is, by default, every valid record of the input discharged in the
period's calendar year (all hospitals); ``--reference PATH`` supplies another (e.g. the
province's records). Relative weight RW_i = mean cost of group i / mean cost of all grouped cases
(§6.11) — used for CMI only where the record carries no grouper weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .settings import RecordsSettings

REF_COLUMNS: list[tuple[str, str]] = [
    ("drg_code", "VARCHAR"),
    ("ref_n", "BIGINT"),
    ("ref_deaths", "BIGINT"),
    ("ref_mortality", "DOUBLE"),
    ("ref_z", "DOUBLE"),
    ("ref_low_risk", "INTEGER"),
    ("ref_mean_cost", "DOUBLE"),
    ("ref_mean_los", "DOUBLE"),
    ("ref_rw", "DOUBLE"),
]


@dataclass(frozen=True)
class RefGroup:
    drg_code: str
    n: int
    deaths: int
    mortality: float
    z: float | None
    low_risk: int
    mean_cost: float | None
    mean_los: float | None
    rw: float | None

    def row(self) -> tuple:
        return (self.drg_code, self.n, self.deaths, self.mortality, self.z, self.low_risk,
                self.mean_cost, self.mean_los, self.rw)


def build_reference(
    stats: dict[str, tuple[int, int, float, float]], settings: RecordsSettings
) -> list[RefGroup]:
    """``stats``: drg_code → (cases, deaths, total cost, total LOS) over the reference population."""
    logs = [
        math.log(d / n) for n, d, _, _ in stats.values() if n >= settings.lowrisk_min_cases and d > 0
    ]
    mu = sum(logs) / len(logs) if logs else 0.0
    sd = math.sqrt(sum((x - mu) ** 2 for x in logs) / (len(logs) - 1)) if len(logs) > 1 else 0.0
    total_n = sum(v[0] for v in stats.values())
    total_cost = sum(v[2] for v in stats.values())
    overall_cost = total_cost / total_n if total_n else 0.0
    groups = []
    for code in sorted(stats):
        n, d, cost, los = stats[code]
        mortality = d / n
        z: float | None = None
        low = 0
        if n >= settings.lowrisk_min_cases:
            if d == 0:
                low = 1 if settings.lowrisk_zero_deaths == "low" else 0
            elif sd > 0:
                z = (math.log(mortality) - mu) / sd
                low = 1 if z < settings.lowrisk_z else 0
        mean_cost = cost / n if cost > 0 else None
        mean_los = los / n if los > 0 else None
        rw = mean_cost / overall_cost if mean_cost and overall_cost > 0 else None
        groups.append(RefGroup(code, n, d, mortality, z, low, mean_cost, mean_los, rw))
    return groups
