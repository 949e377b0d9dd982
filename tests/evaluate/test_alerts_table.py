"""The columnar 督办 table of lagging targets gives the alerts, order and grouping the list of Alert
objects gives, on random statuses."""

from __future__ import annotations

import numpy as np

from hqd.evaluate.alerts import LaggingTargets, group_by_unit, ordered, target_alert
from hqd.evaluate.progress import STATUSES, Progress


def test_table_equals_the_list_of_alerts():
    rng = np.random.default_rng(3)
    n_orgs, n_ind = 40, 7
    regions = [f"H{k:02d}" for k in rng.permutation(n_orgs)]
    units = [[f"单位{k % 5}"] if k % 9 else [] for k in range(n_orgs)]
    subjects = [f"指标{j}" for j in range(n_ind)]
    status = rng.integers(0, len(STATUSES), (n_orgs, n_ind)).astype(np.int8)
    goal, base, latest, ratio = (rng.uniform(0, 100, (n_orgs, n_ind)) for _ in range(4))
    table = LaggingTargets.from_arrays(subjects, regions, units, status, goal, base, latest, ratio, ("2021Q1", "2025Q4"))

    listed = []
    for o in range(n_orgs):
        for j in range(n_ind):
            p = Progress(STATUSES[status[o, j]], "", float(goal[o, j]), ("2021Q1", float(base[o, j])),
                         ("2025Q4", float(latest[o, j])), ratio=float(ratio[o, j]))
            listed.append(target_alert(subjects[j], regions[o], units[o], p))
    want = ordered(listed)
    assert 50 < len(want) < n_orgs * n_ind
    assert [table.alert(k) for k in range(len(table))] == want
    grouped = {u: [table.alert(k) for k in rows] for u, rows in table.by_unit().items()}
    assert grouped == group_by_unit(listed)
