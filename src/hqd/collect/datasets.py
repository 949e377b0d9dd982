"""Data sets (数据集/填报表) and their validation rules, defined from YAML or JSON files.

```yaml
code: GZL
name: 公立医院高质量发展季度监测
period_type: quarter        # quarter / year / month (季度 / 年 / 月)
timely_days: 10             # on time: submitted by period end + 10 days (4/7/10/1月上旬)
expiry_days: 60             # entry closes 60 days after period end (omit: never)
elements: [CYRS, CYSSRS, MZSR, ZYSR, YLSR]
orgs: {levels: [4], groups: [三级], under: ZJ, codes: [H001]}   # or a list of codes
rules:
  - {code: R1, name: 手术人数不超过出院人数, left: CYSSRS, operator: "<=", right: CYRS, severity: error}
```
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hqd.store.elements import upsert_data_elements
from hqd.store.errors import StoreError
from hqd.store.models import (
    DataElement,
    DataSet,
    DataSetElement,
    DataSetOrg,
    Org,
    OrgGroup,
    OrgGroupMember,
    ValidationRule,
)
from hqd.store.values import audit

from .expr import OPERATORS, Node, codes, compare, evaluate, parse
from .tables import cell_text, read_rows

PERIOD_TYPES = {"quarter": "quarter", "季度": "quarter", "year": "year", "年": "year", "年度": "year",
                "month": "month", "月": "month", "月度": "month"}
SEVERITIES = {"error": "error", "错误": "error", "warning": "warning", "警告": "warning"}
ELEMENT_COLUMNS = {"code": ("数据项代码", "代码"), "name": ("数据项名称", "名称"), "unit": ("单位",),
                   "aggregation": ("汇总方式", "汇总")}


def load_elements_file(session: Session, path: Path) -> int:
    """Data elements from xlsx/CSV (code, name, unit, aggregation) or a JSON list of records."""
    if path.suffix.lower() == ".json":
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"文件 {path.name}：不是有效的 JSON（{exc}）") from exc
        if not isinstance(records, list):
            raise StoreError(f"文件 {path.name}：应为数据项记录的列表")
    else:
        records = [{k: cell_text(v) for k, v in r.values.items()} for r in
                   read_rows(path, ELEMENT_COLUMNS, ("code", "name"))]
    return upsert_data_elements(session, records)


def load_catalog_elements(session: Session) -> int:
    """The catalog's reported data elements (数据项字典; derived elements are computed, not collected)."""
    from hqd.catalog import default_catalog

    records = [{"code": e.code, "name": e.name, "unit": e.unit, "aggregation": e.aggregation}
               for e in default_catalog().elements.values() if not e.derived]
    return upsert_data_elements(session, records)


def read_spec(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StoreError(f"文件 {path}：不存在")
    try:
        text = path.read_text(encoding="utf-8")
        spec = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise StoreError(f"文件 {path.name}：格式错误（{exc}）") from exc
    if not isinstance(spec, dict):
        raise StoreError(f"文件 {path.name}：应为一个数据集定义（键值对）")
    return spec


def _org_ids(session: Session, spec: Any, problems: list[str]) -> set[int]:
    if spec is None:
        return set()
    if isinstance(spec, list):
        spec = {"codes": spec}
    if not isinstance(spec, dict):
        problems.append("orgs：应为机构代码列表，或包含 codes / levels / groups / under 的设置")
        return set()
    ids: set[int] = set()
    codes_ = [str(c) for c in spec.get("codes") or []]
    found = {o.code: o.id for o in session.scalars(select(Org).where(Org.code.in_(codes_)))} if codes_ else {}
    for c in codes_:
        if c not in found:
            problems.append(f"orgs.codes：机构代码“{c}”不存在")
    ids.update(found.values())
    levels = spec.get("levels")
    groups = spec.get("groups")
    if levels or groups:
        q = select(Org.id).where(Org.closed.is_(False))
        if levels:
            q = q.where(Org.level.in_([int(x) for x in levels]))
        if groups:
            names = [str(g) for g in groups]
            known = set(session.scalars(select(OrgGroup.name).where(OrgGroup.name.in_(names))))
            for g in names:
                if g not in known:
                    problems.append(f"orgs.groups：机构分组“{g}”不存在")
            q = q.where(Org.id.in_(select(OrgGroupMember.org_id).join(OrgGroup).where(OrgGroup.name.in_(names))))
        if spec.get("under"):
            root = session.scalar(select(Org).where(Org.code == str(spec["under"])))
            if root is None:
                problems.append(f"orgs.under：机构代码“{spec['under']}”不存在")
            else:
                q = q.where(Org.path.startswith(root.path, autoescape=True))
        ids.update(session.scalars(q))
    return ids


def define_data_set(session: Session, spec: dict[str, Any], *, actor: str, where: str = "数据集定义") -> DataSet:
    """Create or replace a data set with its elements, assigned orgs and validation rules."""
    problems: list[str] = []
    code = str(spec.get("code") or "").strip()
    name = str(spec.get("name") or "").strip()
    if not code:
        problems.append("code：缺少数据集代码")
    if not name:
        problems.append("name：缺少数据集名称")
    ptype = PERIOD_TYPES.get(str(spec.get("period_type") or "quarter"))
    if ptype is None:
        problems.append(f"period_type：“{spec.get('period_type')}”无效，应为 quarter、year 或 month")
    timely, expiry = spec.get("timely_days", 10), spec.get("expiry_days")
    if not isinstance(timely, int) or timely < 0:
        problems.append(f"timely_days：“{timely}”应为不小于 0 的整数")
    if expiry is not None and (not isinstance(expiry, int) or expiry < 0):
        problems.append(f"expiry_days：“{expiry}”应为不小于 0 的整数")
    element_codes = [str(c) for c in spec.get("elements") or []]
    if not element_codes:
        problems.append("elements：数据集至少要包含一个数据项")
    elements = {e.code: e for e in session.scalars(select(DataElement).where(DataElement.code.in_(element_codes)))}
    for c in element_codes:
        if c not in elements:
            problems.append(f"elements：数据项代码“{c}”不存在，请先导入数据项")
    if len(set(element_codes)) != len(element_codes):
        problems.append("elements：数据项代码有重复")
    org_ids = _org_ids(session, spec.get("orgs"), problems)
    rules: list[ValidationRule] = []
    for i, r in enumerate(spec.get("rules") or [], 1):
        label = f"rules 第 {i} 条"
        if not isinstance(r, dict):
            problems.append(f"{label}：应为包含 code、left、operator、right 的设置")
            continue
        rcode = str(r.get("code") or f"R{i}")
        op = str(r.get("operator") or "")
        sev = SEVERITIES.get(str(r.get("severity") or "error"))
        if op not in OPERATORS:
            problems.append(f"{label}（{rcode}）：比较符“{op}”无效，可用 = != < <= > >=")
        if sev is None:
            problems.append(f"{label}（{rcode}）：严重程度“{r.get('severity')}”无效，应为 error 或 warning")
        for side in ("left", "right"):
            try:
                node = parse(str(r.get(side) or ""))
            except StoreError as exc:
                problems.append(f"{label}（{rcode}）{side}：{exc}")
                continue
            unknown = codes(node) - set(element_codes)
            if unknown:
                problems.append(f"{label}（{rcode}）{side}：数据项 {'、'.join(sorted(unknown))} 不在本数据集中")
        rules.append(ValidationRule(code=rcode, name=str(r.get("name") or rcode), left=str(r.get("left")),
                                    operator="=" if op == "==" else op, right=str(r.get("right")),
                                    severity=sev or "error"))
    if problems:
        raise StoreError([f"{where}有误，未保存："] + problems)
    ds = session.scalar(select(DataSet).where(DataSet.code == code))
    created = ds is None
    if ds is None:
        ds = DataSet(code=code, name=name, period_type=ptype)
        session.add(ds)
    ds.name, ds.period_type, ds.timely_days, ds.expiry_days = name, ptype, timely, expiry
    ds.elements.clear()
    ds.orgs.clear()
    ds.rules.clear()
    session.flush()
    ds.elements.extend(DataSetElement(data_element_id=elements[c].id, position=i) for i, c in enumerate(element_codes))
    ds.orgs.extend(DataSetOrg(org_id=o) for o in sorted(org_ids))
    ds.rules.extend(rules)
    session.flush()
    audit(session, actor=actor, action="create" if created else "update", entity="data_set", key=code,
          new=f"{len(element_codes)} 个数据项，{len(org_ids)} 个机构，{len(rules)} 条校验规则", source="file")
    return ds


def get_data_set(session: Session, code: str) -> DataSet:
    ds = session.scalar(select(DataSet).where(DataSet.code == code))
    if ds is None:
        raise StoreError(f"数据集“{code}”不存在")
    return ds


@dataclass
class CompiledRule:
    code: str
    name: str
    left: Node
    operator: str
    right: Node
    severity: str
    left_text: str
    right_text: str

    @property
    def elements(self) -> set[str]:
        return codes(self.left) | codes(self.right)


@dataclass
class Violation:
    rule: CompiledRule
    left: float
    right: float

    def message(self) -> str:
        level = "错误" if self.rule.severity == "error" else "警告"
        op = OPERATORS.get(self.rule.operator, self.rule.operator)
        return (f"校验规则{level}（{self.rule.code} {self.rule.name}）：{self.rule.left_text} {op} {self.rule.right_text} 不成立"
                f"（左边 {_num(self.left)}，右边 {_num(self.right)}）")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.4g}"


def compile_rules(ds: DataSet) -> list[CompiledRule]:
    return [CompiledRule(r.code, r.name, parse(r.left), r.operator, parse(r.right), r.severity, r.left, r.right)
            for r in ds.rules]


def check_rules(rules: list[CompiledRule], values: dict[str, float | None]) -> list[Violation]:
    """Rules whose both sides can be computed and fail; rules with a missing value are skipped."""
    out = []
    for rule in rules:
        left, right = evaluate(rule.left, values), evaluate(rule.right, values)
        if left is None or right is None:
            continue
        if not compare(left, rule.operator, right):
            out.append(Violation(rule, left, right))
    return out
