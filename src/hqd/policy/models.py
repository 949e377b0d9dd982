"""The ledger objects: what `hqd.policy` extracts from a plan (the ledger JSON contract of DESIGN.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Target:
    """A quantitative goal (目标) stated in a task, with its exact source clause."""

    indicator: str
    comparator: str  # >= <= = ~ range increase decrease
    value: float | None
    value_high: float | None
    unit: str | None
    deadline: str | None  # YYYY-MM-DD
    scope: str | None
    text: str  # the source clause, an exact substring of the document text
    start: int = -1  # character offsets of `text` in the document text
    end: int = -1
    indicator_simplified: str | None = None
    catalog_code: str | None = None
    baseline: float | None = None  # the value a 从X提高到Y goal starts from
    baseline_period: str | None = None  # its year, when stated (从2020年的X)


@dataclass
class Task:
    """A task (任务/举措): a numbered item of the plan's outline with its responsible units."""

    path: list[str]
    title: str | None
    lead_units: list[str] = field(default_factory=list)  # 牵头单位
    support_units: list[str] = field(default_factory=list)  # 配合单位
    deadline: str | None = None
    targets: list[Target] = field(default_factory=list)
    section: str | None = None  # kind of the top section: 重点任务, 保障措施, 实施步骤, 主要目标 ...
    text: str = ""
    start: int = -1
    end: int = -1
    lead_units_canonical: list[str] = field(default_factory=list)
    support_units_canonical: list[str] = field(default_factory=list)


@dataclass
class CitedPolicy:
    title: str  # with its 《》
    doc_number: str | None


@dataclass
class Heading:
    """One node of the document outline (一、 (一) 1. （1） ① 第一步 …)."""

    label: str  # as normalised for paths: 二, (一), 3, 第一步
    level: int
    title: str | None
    kind: str | None
    start: int
    end: int


@dataclass
class Ledger:
    file: str
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    cited_policies: list[CitedPolicy] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    outline: list[Heading] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_text:
            for task in data["tasks"]:
                task.pop("text", None)
        return data
