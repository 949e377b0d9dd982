"""Catalog objects: data elements (数据项), options (口径选项), indicators (指标)."""

from __future__ import annotations

from dataclasses import dataclass, field

AGGREGATIONS = ("sum", "average", "last")
KINDS = ("定量", "定性")
DIRECTIONS = ("逐步提高", "逐步降低", "监测比较", "逐步完善")
TAGS = ("S", "K", "U")
ROLLUPS = ("sum", "average", "none")
TAG_LABELS = {"S": "已核实", "K": "据工作经验，待核对", "U": "未核实"}


@dataclass(frozen=True)
class DataElement:
    code: str
    name: str
    unit: str
    aggregation: str  # sum | average | last
    tag: str = "K"
    note: str = ""
    formula: str | None = None  # derived element
    option: str | None = None  # derived element whose formula depends on an option
    variants: dict[str, str] = field(default_factory=dict)
    file: str = ""

    @property
    def derived(self) -> bool:
        return self.formula is not None or bool(self.variants)


@dataclass(frozen=True)
class Option:
    code: str
    name: str
    default: str
    choices: dict[str, str]
    tag: str = "U"
    note: str = ""


@dataclass(frozen=True)
class Formula:
    """numerator [/ denominator] × factor, over element codes."""

    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    unit: str | None = None


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    formula: Formula


@dataclass(frozen=True)
class Indicator:
    code: str
    set: str
    name: str
    kind: str
    unit: str
    direction: str
    source: str
    tag: str
    definition: str
    version: str
    seq: str | None = None  # 序号 in the official table
    aliases: tuple[str, ...] = ()
    dimension: tuple[str, ...] = ()
    national: bool | None = None  # ▲ 国家监测指标
    formula: Formula | None = None
    parts: tuple[Part, ...] = ()
    option: str | None = None
    variants: dict[str, Formula] = field(default_factory=dict)
    rollup: str = "sum"
    grades: tuple[str, ...] = ()
    grades_note: str = ""
    grade_element: str | None = None
    no_formula: str = ""
    same_as: tuple[str, ...] = ()
    file: str = ""

    @property
    def computable(self) -> bool:
        return self.formula is not None or bool(self.parts) or bool(self.variants)


@dataclass(frozen=True)
class IndicatorSet:
    code: str
    name: str
    basis: str
    version: str
    file: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """One validation problem: file, indicator/element code, key, Chinese message."""

    file: str
    code: str
    key: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.code:
            where += f"，{self.code}"
        if self.key:
            where += f"，字段“{self.key}”"
        return f"{where}：{self.message}"


class CatalogError(ValueError):
    """The catalog files are invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems[:20]]
        more = f"\n……另有{len(problems) - 20}个问题" if len(problems) > 20 else ""
        super().__init__("指标库文件有误：\n" + "\n".join(lines) + more)
