"""Load and validate the catalog data files (YAML), collecting every problem with file and key."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import expr
from .models import (
    AGGREGATIONS,
    DIRECTIONS,
    KINDS,
    ROLLUPS,
    TAGS,
    CatalogError,
    DataElement,
    Formula,
    Indicator,
    IndicatorSet,
    Option,
    Part,
    Problem,
)

DATA_DIR = Path(__file__).parent / "data"

# libyaml's safe loader when PyYAML was built with it: the built-in catalog loads ~10x faster
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BUILTIN_FILES = ("elements.yaml", "options.yaml", "tertiary.yaml", "secondary.yaml", "hqd_eval.yaml", "regional.yaml")
INDICATOR_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9]+$")
PART_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9]+\.[0-9]+$")

_ELEMENT_KEYS = {"code", "name", "unit", "aggregation", "tag", "note", "formula", "option", "variants"}
_INDICATOR_KEYS = {
    "code", "seq", "name", "aliases", "dimension", "national", "kind", "unit", "direction", "source", "tag",
    "definition", "numerator", "denominator", "factor", "rollup", "parts", "option", "variants", "grades",
    "grades_note", "grade_element", "no_formula", "same_as", "version",
}
_REQUIRED = ("code", "name", "kind", "unit", "direction", "source", "tag", "definition")
_FORMULA_KEYS = {"numerator", "denominator", "factor", "unit"}
_PART_KEYS = {"code", "name", "numerator", "denominator", "factor"}


@dataclass(eq=False)  # compared and hashed by identity (used as a cache key)
class Catalog:
    """All indicator sets, the data-element dictionary and the options, validated."""

    elements: dict[str, DataElement] = field(default_factory=dict)
    options: dict[str, Option] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    sets: dict[str, IndicatorSet] = field(default_factory=dict)

    def get(self, code: str) -> Indicator:
        """The indicator with this code (a part code like T3-07.1 gives its parent)."""
        key = code.strip()
        if key in self.indicators:
            return self.indicators[key]
        base = key.split(".")[0]
        if base in self.indicators and any(p.code == key for p in self.indicators[base].parts):
            return self.indicators[base]
        raise KeyError(code)

    def resolve_options(self, options: Mapping[str, str] | None = None) -> dict[str, str]:
        """Defaults overlaid with the given choices; unknown options or choices raise ValueError."""
        chosen = {k: o.default for k, o in self.options.items()}
        for k, v in (options or {}).items():
            if k not in self.options:
                raise ValueError(f"未知的口径选项“{k}”；可选：{'、'.join(self.options)}")
            if v not in self.options[k].choices:
                raise ValueError(f"口径选项“{k}”没有取值“{v}”；可选：{'、'.join(self.options[k].choices)}")
            chosen[k] = v
        return chosen

    def formulas(self, code: str, options: Mapping[str, str] | None = None) -> list[tuple[str, str, Formula]]:
        """(code, name, formula) for an indicator or one of its parts, with options applied."""
        ind = self.get(code)
        chosen = self.resolve_options(options)
        if ind.parts:
            parts = [p for p in ind.parts if p.code == code] or list(ind.parts)
            return [(p.code, p.name, p.formula) for p in parts]
        if ind.variants:
            assert ind.option is not None
            return [(ind.code, ind.name, ind.variants[chosen[ind.option]])]
        if ind.formula is not None:
            return [(ind.code, ind.name, ind.formula)]
        return []

    def element_formula(self, code: str, options: Mapping[str, str] | None = None) -> str | None:
        """The formula of a derived element under the chosen options (None for a base element)."""
        el = self.elements[code]
        if el.variants:
            assert el.option is not None
            return el.variants[self.resolve_options(options)[el.option]]
        return el.formula

    def in_set(self, set_code: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.set == set_code]

    def equivalents(self, code: str) -> set[str]:
        """The code plus every code linked to it by same_as, in either direction, transitively."""
        graph: dict[str, set[str]] = {}
        for ind in self.indicators.values():
            for other in ind.same_as:
                graph.setdefault(ind.code, set()).add(other)
                graph.setdefault(other, set()).add(ind.code)
        seen, todo = {code}, [code]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


def builtin_paths() -> list[Path]:
    return [DATA_DIR / f for f in BUILTIN_FILES]


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The built-in catalog, loaded once per process."""
    return load_catalog(builtin_paths())


def load_catalog(paths: Iterable[Path | str]) -> Catalog:
    """Load and validate catalog files; raises CatalogError listing every problem."""
    catalog, problems = _build(paths)
    if problems:
        raise CatalogError(problems)
    return catalog


def validate(paths: Iterable[Path | str], *, with_builtin: bool = True) -> list[Problem]:
    """Every problem in the given files (checked together with the built-in files by default)."""
    all_paths = [*(builtin_paths() if with_builtin else []), *[Path(p) for p in paths]]
    seen: set[Path] = set()
    unique = []
    for p in all_paths:
        rp = Path(p).resolve()
        if rp not in seen:
            seen.add(rp)
            unique.append(Path(p))
    _, problems = _build(unique)
    return problems


# ---------------------------------------------------------------- building
def _build(paths: Iterable[Path | str]) -> tuple[Catalog, list[Problem]]:
    cat = Catalog()
    problems: list[Problem] = []
    docs: list[tuple[str, dict[str, Any]]] = []
    for p in paths:
        path = Path(p)
        name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(str(path), "", "", "文件不存在"))
            continue
        except IsADirectoryError:
            problems.append(Problem(str(path), "", "", "这是目录，请指定YAML文件"))
            continue
        except UnicodeDecodeError:
            problems.append(Problem(str(path), "", "", "文件不是UTF-8编码，请另存为UTF-8后重试"))
            continue
        except OSError as e:
            problems.append(Problem(str(path), "", "", f"无法读取文件：{e.strerror or e}"))
            continue
        try:
            doc = yaml.load(text, Loader=_SAFE_LOADER)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"第{mark.line + 1}行" if mark is not None else ""
            problems.append(Problem(name, "", "", f"YAML格式错误{where}：{getattr(e, 'problem', e)}"))
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(name, "", "", "文件内容应为键值映射（含 kind 字段）"))
            continue
        docs.append((name, doc))
    # elements and options first: indicator formulas are checked against them
    for name, doc in docs:
        kind = doc.get("kind")
        if kind == "elements":
            _load_elements(name, doc, cat, problems)
        elif kind == "options":
            _load_options(name, doc, cat, problems)
        elif kind != "indicators":
            problems.append(Problem(name, "", "kind", f"kind 应为 elements、options 或 indicators，实际为“{kind}”"))
    _check_derived(cat, problems)
    for name, doc in docs:
        if doc.get("kind") == "indicators":
            _load_indicators(name, doc, cat, problems)
    for ind in cat.indicators.values():
        for other in ind.same_as:
            if other not in cat.indicators:
                problems.append(Problem(ind.file, ind.code, "same_as", f"引用了不存在的指标代码“{other}”"))
    return cat, problems


def _str(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _load_elements(name: str, doc: dict[str, Any], cat: Catalog, problems: list[Problem]) -> None:
    items = doc.get("elements")
    if not isinstance(items, list):
        problems.append(Problem(name, "", "elements", "应为数据项列表"))
        return
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            problems.append(Problem(name, f"第{i + 1}项", "", "数据项应为键值映射"))
            continue
        code = _str(raw.get("code"))
        label = code or f"第{i + 1}项"
        for k in raw:
            if k not in _ELEMENT_KEYS:
                problems.append(Problem(name, label, str(k), "未知字段"))
        if not expr.CODE_RE.match(code):
            problems.append(Problem(name, label, "code", "数据项代码应为大写字母、数字和下划线，以字母开头"))
            continue
        if code in cat.elements:
            problems.append(Problem(name, code, "code", f"数据项代码重复（已在 {cat.elements[code].file} 定义）"))
            continue
        for k in ("name", "unit"):
            if not _str(raw.get(k)):
                problems.append(Problem(name, code, k, "缺少必填字段"))
        agg = _str(raw.get("aggregation"))
        if agg not in AGGREGATIONS:
            problems.append(Problem(name, code, "aggregation", f"应为 {'、'.join(AGGREGATIONS)} 之一，实际为“{agg}”"))
        tag = _str(raw.get("tag") or "K")
        if tag not in TAGS:
            problems.append(Problem(name, code, "tag", "核实标记应为 S、K 或 U"))
        variants = raw.get("variants") or {}
        if not isinstance(variants, dict):
            problems.append(Problem(name, code, "variants", "应为 取值: 公式 的映射"))
            variants = {}
        if variants and not raw.get("option"):
            problems.append(Problem(name, code, "option", "有 variants 时必须指明 option"))
        cat.elements[code] = DataElement(
            code=code, name=_str(raw.get("name")), unit=_str(raw.get("unit")), aggregation=agg, tag=tag,
            note=_str(raw.get("note")), formula=_str(raw.get("formula")) or None,
            option=_str(raw.get("option")) or None, variants={str(k): _str(v) for k, v in variants.items()},
            file=name,
        )


def _load_options(name: str, doc: dict[str, Any], cat: Catalog, problems: list[Problem]) -> None:
    items = doc.get("options")
    if not isinstance(items, dict):
        problems.append(Problem(name, "", "options", "应为 选项代码: 定义 的映射"))
        return
    for code, raw in items.items():
        if not isinstance(raw, dict):
            problems.append(Problem(name, str(code), "", "选项定义应为键值映射"))
            continue
        choices = raw.get("choices")
        if not isinstance(choices, dict) or not choices:
            problems.append(Problem(name, str(code), "choices", "应列出可选取值"))
            continue
        default = _str(raw.get("default"))
        if default not in {str(c) for c in choices}:
            problems.append(Problem(name, str(code), "default", f"默认值“{default}”不在 choices 中"))
        cat.options[str(code)] = Option(
            code=str(code), name=_str(raw.get("name")), default=default,
            choices={str(k): _str(v) for k, v in choices.items()}, tag=_str(raw.get("tag") or "U"),
            note=_str(raw.get("note")),
        )


def _check_formula(text: str, cat: Catalog, file: str, code: str, key: str, problems: list[Problem],
                   *, allow_period: bool = True) -> bool:
    try:
        node = expr.parse(text, known=lambda c: c in cat.elements)
    except expr.FormulaError as e:
        problems.append(Problem(file, code, key, f"{e}（公式：{text}）"))
        return False
    if not allow_period and any(r.shift != expr.CUR for r in expr.refs(node)):
        problems.append(Problem(file, code, key, "派生数据项的公式不能使用期间函数"))
        return False
    return True


def _check_derived(cat: Catalog, problems: list[Problem]) -> None:
    for el in cat.elements.values():
        texts = {"formula": el.formula} if el.formula else {}
        if el.variants:
            opt = cat.options.get(el.option or "")
            if opt is None:
                problems.append(Problem(el.file, el.code, "option", f"未定义的口径选项“{el.option}”"))
            elif set(el.variants) != set(opt.choices):
                problems.append(Problem(el.file, el.code, "variants",
                                        f"取值应与选项“{opt.code}”的 choices 一致：{'、'.join(opt.choices)}"))
            texts.update({f"variants.{k}": v for k, v in el.variants.items()})
        for key, text in texts.items():
            _check_formula(text, cat, el.file, el.code, key, problems, allow_period=False)
    # cycles among derived elements
    def deps(code: str) -> set[str]:
        el = cat.elements[code]
        out: set[str] = set()
        for t in [el.formula or "", *el.variants.values()]:
            if t:
                try:
                    out.update(c for c in expr.codes(t) if c in cat.elements)
                except expr.FormulaError:
                    pass
        return out

    state: dict[str, int] = {}

    def visit(code: str, stack: list[str]) -> None:
        state[code] = 1
        for d in deps(code):
            if state.get(d) == 1:
                problems.append(Problem(cat.elements[code].file, code, "formula",
                                        f"派生数据项循环引用：{' → '.join([*stack, code, d])}"))
            elif d not in state:
                visit(d, [*stack, code])
        state[code] = 2

    for code in cat.elements:
        if code not in state and cat.elements[code].derived:
            visit(code, [])


def _formula(raw: dict[str, Any], cat: Catalog, file: str, code: str, prefix: str,
             problems: list[Problem]) -> Formula | None:
    num = _str(raw.get("numerator"))
    den = _str(raw.get("denominator")) or None
    ok = True
    if not num:
        problems.append(Problem(file, code, f"{prefix}numerator", "缺少分子公式"))
        return None
    ok &= _check_formula(num, cat, file, code, f"{prefix}numerator", problems)
    if ok and not expr.codes(num):
        problems.append(Problem(file, code, f"{prefix}numerator", "分子公式至少要引用一个数据项"))
        ok = False
    if den is not None:
        ok &= _check_formula(den, cat, file, code, f"{prefix}denominator", problems)
    factor = raw.get("factor", 1)
    if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
        problems.append(Problem(file, code, f"{prefix}factor", f"系数应为正数（如100、1000、1），实际为“{factor}”"))
        ok = False
    if not ok:
        return None
    return Formula(numerator=num, denominator=den, factor=float(factor), unit=_str(raw.get("unit")) or None)


def _load_indicators(name: str, doc: dict[str, Any], cat: Catalog, problems: list[Problem]) -> None:
    set_code = _str(doc.get("set"))
    if not set_code:
        problems.append(Problem(name, "", "set", "缺少指标体系代码"))
        return
    if set_code in cat.sets:
        problems.append(Problem(name, "", "set", f"指标体系代码“{set_code}”与 {cat.sets[set_code].file} 重复"))
        return
    for k in ("name", "version"):
        if not _str(doc.get(k)):
            problems.append(Problem(name, "", k, "缺少必填字段"))
    version = _str(doc.get("version"))
    items = doc.get("indicators")
    if not isinstance(items, list) or not items:
        problems.append(Problem(name, "", "indicators", "应为非空的指标列表"))
        return
    codes: list[str] = []
    for i, raw in enumerate(items):
        ind = _load_indicator(name, set_code, version, i, raw, cat, problems)
        if ind is not None:
            cat.indicators[ind.code] = ind
            codes.append(ind.code)
    cat.sets[set_code] = IndicatorSet(code=set_code, name=_str(doc.get("name")), basis=_str(doc.get("basis")),
                                      version=version, file=name, indicators=tuple(codes))


def _load_indicator(name: str, set_code: str, version: str, i: int, raw: Any, cat: Catalog,
                    problems: list[Problem]) -> Indicator | None:
    if not isinstance(raw, dict):
        problems.append(Problem(name, f"第{i + 1}项", "", "指标应为键值映射"))
        return None
    code = _str(raw.get("code"))
    label = code or f"第{i + 1}项"
    n_before = len(problems)
    for k in raw:
        if k not in _INDICATOR_KEYS:
            problems.append(Problem(name, label, str(k), "未知字段"))
    for k in _REQUIRED:
        if not _str(raw.get(k)):
            problems.append(Problem(name, label, k, "缺少必填字段"))
    if code and not INDICATOR_CODE_RE.match(code):
        problems.append(Problem(name, label, "code", "指标代码格式应为“体系-编号”，如 T3-01、SD-05"))
    if code in cat.indicators:
        problems.append(Problem(name, label, "code", f"指标代码重复（已在 {cat.indicators[code].file} 定义）"))
    kind, direction, tag = _str(raw.get("kind")), _str(raw.get("direction")), _str(raw.get("tag"))
    if kind and kind not in KINDS:
        problems.append(Problem(name, label, "kind", f"应为 定量 或 定性，实际为“{kind}”"))
    if direction and direction not in DIRECTIONS:
        problems.append(Problem(name, label, "direction", f"应为 {'、'.join(DIRECTIONS)} 之一，实际为“{direction}”"))
    if tag and tag not in TAGS:
        problems.append(Problem(name, label, "tag", f"核实标记应为 S、K 或 U，实际为“{tag}”"))
    rollup = _str(raw.get("rollup") or "sum")
    if rollup not in ROLLUPS:
        problems.append(Problem(name, label, "rollup", f"应为 {'、'.join(ROLLUPS)} 之一，实际为“{rollup}”"))
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list):
        problems.append(Problem(name, label, "aliases", "应为别名列表"))
        aliases = []
    dimension = raw.get("dimension") or []
    if not isinstance(dimension, list):
        problems.append(Problem(name, label, "dimension", "应为维度列表，如 [医疗质量, 功能定位]"))
        dimension = []
    same_as = raw.get("same_as") or []
    if not isinstance(same_as, list):
        problems.append(Problem(name, label, "same_as", "应为指标代码列表"))
        same_as = []
    national = raw.get("national")
    if national is not None and not isinstance(national, bool):
        problems.append(Problem(name, label, "national", "应为 true 或 false"))
        national = None

    has = {k: raw.get(k) not in (None, "", [], {}) for k in ("numerator", "parts", "variants", "no_formula")}
    formula: Formula | None = None
    parts: list[Part] = []
    variants: dict[str, Formula] = {}
    grades: list[str] = []
    if kind == "定量":
        n_ways = sum(has.values())
        if n_ways != 1:
            problems.append(Problem(name, label, "numerator",
                                    "定量指标须且只能给出 numerator、parts、variants、no_formula 之一"))
        if raw.get("grades"):
            problems.append(Problem(name, label, "grades", "定量指标不应有分级取值"))
        if has["numerator"]:
            formula = _formula(raw, cat, name, label, "", problems)
        elif has["parts"]:
            if not isinstance(raw["parts"], list):
                problems.append(Problem(name, label, "parts", "应为子项列表"))
            else:
                for j, pr in enumerate(raw["parts"]):
                    if not isinstance(pr, dict):
                        problems.append(Problem(name, label, f"parts[{j}]", "子项应为键值映射"))
                        continue
                    pcode = _str(pr.get("code"))
                    for k in pr:
                        if k not in _PART_KEYS:
                            problems.append(Problem(name, label, f"parts[{j}].{k}", "未知字段"))
                    if not PART_CODE_RE.match(pcode) or not pcode.startswith(code + "."):
                        problems.append(Problem(name, label, f"parts[{j}].code", f"子项代码应为“{code}.序号”"))
                    if not _str(pr.get("name")):
                        problems.append(Problem(name, label, f"parts[{j}].name", "缺少子项名称"))
                    f = _formula(pr, cat, name, label, f"parts[{j}].", problems)
                    if f is not None:
                        parts.append(Part(pcode, _str(pr.get("name")), f))
        elif has["variants"]:
            opt_code = _str(raw.get("option"))
            opt = cat.options.get(opt_code)
            if opt is None:
                problems.append(Problem(name, label, "option", f"未定义的口径选项“{opt_code}”"))
            vs = raw["variants"]
            if not isinstance(vs, dict):
                problems.append(Problem(name, label, "variants", "应为 取值: 公式 的映射"))
            else:
                if opt is not None and {str(k) for k in vs} != set(opt.choices):
                    problems.append(Problem(name, label, "variants",
                                            f"取值应与选项“{opt.code}”的 choices 一致：{'、'.join(opt.choices)}"))
                for k, v in vs.items():
                    if not isinstance(v, dict):
                        problems.append(Problem(name, label, f"variants.{k}", "应为含 numerator 的映射"))
                        continue
                    for kk in v:
                        if kk not in _FORMULA_KEYS:
                            problems.append(Problem(name, label, f"variants.{k}.{kk}", "未知字段"))
                    f = _formula(v, cat, name, label, f"variants.{k}.", problems)
                    if f is not None:
                        variants[str(k)] = f
    elif kind == "定性":
        for k in ("numerator", "denominator", "parts", "variants"):
            if raw.get(k):
                problems.append(Problem(name, label, k, "定性指标为分级取值，不应有公式"))
        g = raw.get("grades")
        if g is not None and (not isinstance(g, list) or not g):
            problems.append(Problem(name, label, "grades", "应为非空的等级列表"))
        elif g:
            grades = [str(x) for x in g]
        if not grades and not _str(raw.get("grades_note")):
            problems.append(Problem(name, label, "grades", "定性指标须给出 grades（等级列表）或 grades_note（说明）"))
        if rollup == "sum" and raw.get("rollup") is not None:
            problems.append(Problem(name, label, "rollup", "定性指标不能按求和汇总"))
        rollup = "none" if rollup == "sum" else rollup
    ge = _str(raw.get("grade_element")) or None
    if ge is not None and ge not in cat.elements:
        problems.append(Problem(name, label, "grade_element", f"未知的数据项代码“{ge}”"))
    if len(problems) > n_before or not code:
        return None
    return Indicator(
        code=code, set=set_code, name=_str(raw.get("name")), kind=kind, unit=_str(raw.get("unit")),
        direction=direction, source=_str(raw.get("source")), tag=tag, definition=_str(raw.get("definition")),
        version=_str(raw.get("version")) or version, seq=_str(raw.get("seq")) or None,
        aliases=tuple(_str(a) for a in aliases if _str(a)), dimension=tuple(_str(d) for d in dimension),
        national=national, formula=formula, parts=tuple(parts), option=_str(raw.get("option")) or None,
        variants=variants, rollup=rollup, grades=tuple(grades), grades_note=_str(raw.get("grades_note")),
        grade_element=ge, no_formula=_str(raw.get("no_formula")), same_as=tuple(_str(s) for s in same_as),
        file=name,
    )
