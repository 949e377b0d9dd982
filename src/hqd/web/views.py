"""Page data built from the cached evaluation: the overview, the alert list with org names."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from fastapi import Request

STATUS_ORDER = ("已达成", "进展顺利", "需加快", "进展缓慢", "倒退", "无数据")


def filter_alerts(request: Request, period: str, unit: str | None, region: str | None, who) -> list:
    from hqd.report.data import subtree_codes

    ev = request.app.state.snapshots.evaluation(period)
    out = ev.alerts
    if unit:
        out = [a for a in out if any(unit in u for u in a.units)]
    if region:
        inside = subtree_codes(request.app.state.store, region)
        out = [a for a in out if a.region in inside]
    return who.visible(out, key=lambda a: a.region)


def overview(request: Request, period: str, who) -> dict:
    """The overview of the user's subtree: its targets, alerts and submissions only."""
    ev = request.app.state.snapshots.evaluation(period)
    progress, alerts = who.visible(ev.progress), who.visible(ev.alerts, key=lambda a: a.region)
    names = request.app.state.snapshots.org_names()
    applied = [r for r in progress if r.applied]
    counts = Counter(r.status for r in applied)
    lagging_regions = Counter(names.get(r.org, r.org) for r in progress if r.status in ("进展缓慢", "倒退", "需加快"))
    units = Counter(u for a in alerts for u in a.units[:1])
    today = request.app.state.today
    soon = [t for t in ev.tasks if t.deadline and today.isoformat() <= t.deadline <= (today + timedelta(days=180)).isoformat()
            and t.status != "已完成"]
    root = who.principal.org_code
    subs = request.app.state.snapshots.submissions(period, root) if root else []
    expected = sum(r.expected for r in subs)
    return {
        "period": period, "status_counts": [(s, counts.get(s, 0)) for s in STATUS_ORDER], "targets": len(applied),
        "lagging_regions": lagging_regions.most_common(8), "units": units.most_common(8),
        "submitted": sum(r.submitted for r in subs), "on_time": sum(r.on_time for r in subs), "expected": expected,
        "deadlines": sorted(soon, key=lambda t: t.deadline)[:12], "alerts": len(alerts),
    }
