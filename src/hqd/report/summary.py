"""The 总体情况 paragraphs of a report, written from its numbers."""

from __future__ import annotations

from collections import Counter

from .model import QuarterlyReport

STATUS_ORDER = ("已达成", "进展顺利", "需加快", "进展缓慢", "倒退", "无数据")


def summarize(report: QuarterlyReport) -> list[str]:
    out = []
    counts = Counter(t.status for t in report.targets)
    if report.targets:
        parts = "、".join(f"{s}{counts[s]}项" for s in STATUS_ORDER if counts[s])
        good = counts["已达成"] + counts["进展顺利"]
        out.append(
            f"{report.period_label}，{report.region}共监测量化目标{len(report.targets)}项，其中{parts}；"
            f"已达成或进展顺利的占{good / len(report.targets):.0%}。"
        )
        behind = [t.indicator for t in report.targets if t.status in ("倒退", "进展缓慢")]
        if behind:
            out.append(f"需重点关注的目标：{'、'.join(behind[:8])}{'等' if len(behind) > 8 else ''}。")
    if report.tasks:
        task_counts = Counter(t.status for t in report.tasks)
        out.append(
            f"纳入台账的重点任务{len(report.tasks)}项，"
            + "、".join(f"{s}{n}项" for s, n in task_counts.most_common())
            + "。"
        )
    if report.lagging:
        units = Counter(r.unit for r in report.lagging)
        top = "、".join(f"{u}（{n}项）" for u, n in units.most_common(5))
        out.append(f"督办事项{len(report.lagging)}项，涉及{len(units)}个责任单位，主要集中在{top}。")
    if report.submissions:
        expected = sum(r.expected for r in report.submissions)
        submitted = sum(r.submitted for r in report.submissions)
        on_time = sum(r.on_time for r in report.submissions)
        if expected:
            out.append(f"本季度应报{expected}份，实报{submitted}份，报送完整率{submitted / expected:.1%}，"
                       f"及时率{on_time / expected:.1%}。")
    return out or ["本期暂无监测数据。"]
