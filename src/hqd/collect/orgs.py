"""Org tree import (机构): code, name, parent, level, type, grade, groups — from xlsx or CSV.

All rows are checked first; any problem is listed by row and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hqd.store.errors import StoreError
from hqd.store.models import Org, OrgGroup, OrgGroupMember
from hqd.store.values import audit

from .tables import Row, cell_text, read_rows

COLUMNS = {
    "code": ("机构代码", "代码", "编码"),
    "name": ("机构名称", "名称"),
    "parent": ("上级机构代码", "上级代码", "上级", "parent_code"),
    "level": ("层级", "级别"),
    "type": ("机构类型", "类型"),
    "grade": ("等级", "医院等级"),
    "groups": ("分组", "所属分组", "医共体/医疗集团"),
}
_SPLIT = re.compile(r"[;；,，、|]")
LEVEL_NAMES = {1: "省", 2: "市", 3: "区县", 4: "机构", 5: "科室/站点"}


@dataclass
class OrgImport:
    created: int = 0
    updated: int = 0
    groups: int = 0


@dataclass
class _OrgRow:
    row: Row
    code: str
    name: str
    parent: str | None
    level: int
    type: str | None
    grade: str | None
    groups: list[str]


def group_kind(name: str, default: str = "其他") -> str:
    if name.endswith("医共体") or "医共体" in name:
        return "医共体"
    if "医疗集团" in name:
        return "城市医疗集团"
    if "专科联盟" in name:
        return "专科联盟"
    return default


def _parse(rows: list[Row]) -> tuple[list[_OrgRow], list[str]]:
    problems: list[str] = []
    parsed: list[_OrgRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        code = cell_text(v.get("code"))
        name = cell_text(v.get("name"))
        level_text = cell_text(v.get("level"))
        bad = False
        if not code:
            problems.append(f"{row.where}：机构代码为空")
            bad = True
        elif code in seen:
            problems.append(f"{row.where}：机构代码“{code}”与第 {seen[code]} 行重复")
            bad = True
        elif len(code) > 50 or "/" in code:
            problems.append(f"{row.where}：机构代码“{code}”无效（不超过 50 个字符，不能含 /）")
            bad = True
        if not name:
            problems.append(f"{row.where}：机构名称为空")
            bad = True
        try:
            level = int(float(level_text))
            if level < 1:
                raise ValueError
        except ValueError:
            problems.append(f"{row.where}：层级“{level_text}”不是正整数（1 省、2 市、3 区县、4 机构）")
            bad = True
            level = 0
        if code:
            seen.setdefault(code, row.number)
        if bad:
            continue
        groups = [g.strip() for g in _SPLIT.split(cell_text(v.get("groups"))) if g.strip()]
        parsed.append(_OrgRow(row, code, name, cell_text(v.get("parent")) or None, level,
                              cell_text(v.get("type")) or None, cell_text(v.get("grade")) or None, groups))
    return parsed, problems


def import_orgs(session: Session, path: Path, *, actor: str) -> OrgImport:
    rows = read_rows(path, COLUMNS, ("code", "name", "level"))
    parsed, problems = _parse(rows)
    existing = {o.code: o for o in session.scalars(select(Org))}
    in_file = {r.code: r for r in parsed}

    def level_of(code: str) -> int | None:
        if code in in_file:
            return in_file[code].level
        return existing[code].level if code in existing else None

    def parent_of(code: str) -> str | None:
        if code in in_file:
            return in_file[code].parent
        org = existing.get(code)
        return org.parent.code if org is not None and org.parent is not None else None

    for r in parsed:
        if r.parent is None:
            continue
        if r.parent == r.code:
            problems.append(f"{r.row.where}：机构“{r.code}”的上级不能是它自己")
        elif level_of(r.parent) is None:
            problems.append(f"{r.row.where}：上级机构代码“{r.parent}”在文件和数据库中都不存在")
        elif level_of(r.parent) >= r.level:  # type: ignore[operator]
            problems.append(f"{r.row.where}：层级 {r.level} 应大于上级机构“{r.parent}”的层级 {level_of(r.parent)}")
    # One tree: a single root, and no cycles.
    all_codes = set(existing) | set(in_file)
    roots = sorted(c for c in all_codes if parent_of(c) is None)
    if len(roots) > 1:
        rows_by_code = {r.code: r.row.where for r in parsed}
        where = "；".join(rows_by_code.get(c, f"数据库中的“{c}”") for c in roots[:5])
        problems.append(f"机构树只能有一个根机构（没有上级的机构），现有 {len(roots)} 个：{'、'.join(roots[:5])}（{where}）")
    for r in parsed:
        seen_chain = {r.code}
        cur = r.parent
        while cur is not None and cur in all_codes:
            if cur in seen_chain:
                problems.append(f"{r.row.where}：上级关系形成循环（{r.code} → … → {cur}）")
                break
            seen_chain.add(cur)
            cur = parent_of(cur)
    if problems:
        raise StoreError([f"机构导入失败，未写入任何数据。共 {len(problems)} 个问题："] + problems)

    out = OrgImport()
    # Parents before children, so each path can be built from the parent's.
    order = sorted(parsed, key=lambda r: r.level)
    for r in order:
        org = existing.get(r.code)
        if org is None:
            org = Org(code=r.code, name=r.name, level=r.level, type=r.type, grade=r.grade, path="")
            session.add(org)
            existing[r.code] = org
            out.created += 1
            audit(session, actor=actor, action="create", entity="org", key=r.code, new=r.name, source="file",
                  detail=path.name)
        else:
            before = (org.name, org.parent.code if org.parent else None, org.level, org.type, org.grade)
            after = (r.name, r.parent, r.level, r.type, r.grade)
            if before != after:
                out.updated += 1
                audit(session, actor=actor, action="update", entity="org", key=r.code, old=str(before),
                      new=str(after), source="file", detail=path.name)
            org.name, org.level, org.type, org.grade = r.name, r.level, r.type, r.grade
        org.parent = existing[r.parent] if r.parent else None
    session.flush()
    _rebuild_paths(session)
    out.groups = _assign_groups(session, parsed, existing)
    return out


def _rebuild_paths(session: Session) -> None:
    orgs = list(session.scalars(select(Org)))
    children: dict[int | None, list[Org]] = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    stack = [(o, "/") for o in children.get(None, [])]
    while stack:
        org, prefix = stack.pop()
        path = f"{prefix}{org.code}/"
        if org.path != path:
            org.path = path
        stack.extend((c, path) for c in children.get(org.id, []))
    session.flush()


def _assign_groups(session: Session, parsed: list[_OrgRow], orgs: dict[str, Org]) -> int:
    groups = {g.name: g for g in session.scalars(select(OrgGroup))}

    def group(name: str, kind: str) -> OrgGroup:
        g = groups.get(name)
        if g is None:
            g = OrgGroup(name=name, kind=kind)
            session.add(g)
            session.flush()
            groups[name] = g
        return g

    members = {(m.group_id, m.org_id): m for m in session.scalars(select(OrgGroupMember))}
    touched: set[str] = set()
    for r in parsed:
        org = orgs[r.code]
        wanted = {group(name, group_kind(name)).id for name in r.groups}
        if r.grade:
            wanted.add(group(r.grade, "等级").id)
        if r.type:
            wanted.add(group(r.type, "类型").id)
        touched.update(r.groups)
        for (gid, oid), m in list(members.items()):
            if oid == org.id and gid not in wanted:
                session.delete(m)
                del members[(gid, oid)]
        for gid in wanted:
            if (gid, org.id) not in members:
                m = OrgGroupMember(group_id=gid, org_id=org.id)
                session.add(m)
                members[(gid, org.id)] = m
    session.flush()
    return len(touched)


def subtree(session: Session, code: str) -> list[Org]:
    org = session.scalar(select(Org).where(Org.code == code))
    if org is None:
        raise StoreError(f"机构代码“{code}”不存在")
    return list(session.scalars(select(Org).where(Org.path.startswith(org.path, autoescape=True)).order_by(Org.path)))
