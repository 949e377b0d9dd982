"""The quarterly monitoring report (季度监测报告) as data: what the renderers draw."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TargetRow:
    indicator: str
    target: str  # as people write it: ≥65%
    deadline: str | None
    baseline: str  # "50.0（2022Q4）"
    latest: str
    expected_now: str
    projected: str
    status: str  # 已达成 进展顺利 需加快 进展缓慢 倒退 无数据
    units: str  # lead units


@dataclass
class Series:
    """One key indicator's trend: values per period, the target level and the required path."""

    title: str
    unit: str
    periods: list[str]
    values: list[float | None]
    target: float | None = None
    path: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class LaggingRow:
    unit: str
    region: str
    kind: str
    subject: str
    reason: str


@dataclass
class TaskRow:
    number: str
    title: str
    lead: str
    deadline: str
    status: str
    narrative: str


@dataclass
class SubmissionRow:
    level: str
    expected: int
    submitted: int
    on_time: int


@dataclass
class QuarterlyReport:
    region: str  # the reporting org: 杭州市
    period: str  # 2025Q2
    issuer: str  # 杭州市卫生健康委员会
    date: str  # YYYY-MM-DD
    targets: list[TargetRow] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    lagging: list[LaggingRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    submissions: list[SubmissionRow] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # filled by `summarize` when empty

    @property
    def period_label(self) -> str:
        year, _, quarter = self.period.partition("Q")
        return f"{year}年第{'一二三四'[int(quarter) - 1]}季度" if quarter else f"{year}年"

    @property
    def title(self) -> str:
        return f"{self.region}公立医院高质量发展{self.period_label}监测报告"
