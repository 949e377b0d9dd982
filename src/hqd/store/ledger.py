"""Ledgers (hqd.policy) into the store: plans, tasks, responsible units, targets, cited-plan lineage.

Re-importing a plan updates it in place, keyed on its 文号 (doc number) or, without one, on the
hash of its content. Tasks are matched on their outline path and targets on their indicator
and clause, so what users added (catalog codes, baselines, applicable orgs, progress reports)
survives a re-import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from .errors import StoreError
from .models import Org, Plan, PlanCitation, Target, Task, TaskProgress, TaskUnit, Unit, UnitAlias, utcnow
from .values import audit

LEDGER_SUFFIXES = (".json",)


def read_plan_text(path: Path) -> str:
    """The text of a plan document (txt, docx, pdf, html, doc/wps), as hqd.policy.readers reads it."""
    from hqd.policy import PolicyInputError
    from hqd.policy.readers import read_document

    try:
        return read_document(path).text
    except PolicyInputError as exc:
        raise StoreError(str(exc)) from exc


def load_plan_file(path: Path) -> tuple[dict[str, Any], str]:
    """A ledger dict and content hash from a plan document or a ledger JSON file."""
    if path.suffix.lower() in LEDGER_SUFFIXES:
        if not path.is_file():
            raise StoreError(f"{path}：文件不存在")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{path}：不是有效的台账 JSON（{exc}）") from exc
        if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
            raise StoreError(f"{path}：台账 JSON 缺少 tasks 列表")
        canon = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return data, hashlib.sha256(canon.encode()).hexdigest()
    from hqd.plans import ledger_from_text  # extraction plus catalog links of the targets

    text = read_plan_text(path)
    return ledger_from_text(text, file=path.name).to_dict(), hashlib.sha256(text.encode()).hexdigest()


_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕",
                           "［": "〔", "］": "〕"})


def norm_doc_number(value: Any) -> str | None:
    """文号 in one spelling: simplified characters, 〔〕 brackets, no spaces (國辦發〔2021〕18號 = 国办发[2021]18号)."""
    s = "".join(str(value or "").split())
    if not s:
        return None
    from hqd.policy.normalize import to_simplified

    return to_simplified(s).translate(_BRACKETS)


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def plan_level(issuer: str | None, doc_number: str | None) -> str | None:
    """国家/省/市/区县 from the issuer's name (a heuristic; users may correct it)."""
    s = issuer or ""
    if not s:
        return None
    if s.startswith(("国务院", "国家")) or "国办" in (doc_number or ""):
        return "国家"
    for mark, level in (("县", "区县"), ("区", "区县"), ("市", "市"), ("州", "市"), ("省", "省"), ("自治区", "省")):
        if mark in s:
            return level
    return None


@dataclass
class LedgerImport:
    plan_id: int
    created: bool
    tasks_added: int = 0
    tasks_updated: int = 0
    tasks_removed: int = 0
    targets: int = 0
    title: str | None = None


class _Units:
    def __init__(self, session: Session):
        self.session = session
        self.cache: dict[str, Unit] = {}

    def get(self, canonical: str, raw: str | None) -> Unit:
        unit = self.cache.get(canonical)
        if unit is None:
            unit = self.session.scalar(select(Unit).where(Unit.name == canonical))
            if unit is None:
                alias = self.session.scalar(select(UnitAlias).where(UnitAlias.alias == canonical))
                unit = alias.unit if alias else None
            if unit is None:
                unit = Unit(name=canonical)
                self.session.add(unit)
                self.session.flush()
            self.cache[canonical] = unit
        if raw and raw != unit.name and raw not in self.cache:
            if self.session.scalar(select(UnitAlias).where(UnitAlias.alias == raw)) is None:
                self.session.add(UnitAlias(unit_id=unit.id, alias=raw))
                self.session.flush()
            self.cache[raw] = unit
        return unit


def _unit_pairs(raw: list[str], canonical: list[str]) -> list[tuple[str, str | None]]:
    if canonical and len(canonical) == len(raw):
        return list(zip(canonical, raw, strict=True))
    if canonical:
        return [(c, None) for c in canonical]
    from hqd.policy.aliases import canonical_unit

    return [(canonical_unit(r) or r, r) for r in raw]


def find_unit(session: Session, name: str) -> Unit | None:
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        alias = session.scalar(select(UnitAlias).where(UnitAlias.alias == name))
        unit = alias.unit if alias else None
    if unit is None:
        try:
            from hqd.policy.aliases import canonical_unit

            canon = canonical_unit(name)
        except Exception:  # noqa: BLE001 - the alias table is a convenience only
            return None
        unit = session.scalar(select(Unit).where(Unit.name == canon))
    return unit


def guess_region(texts: Iterable[str | None], regions: Sequence[tuple[int, str, int]]) -> int | None:
    """The region a plan belongs to: in the first text (issuer, then title) naming any, the deepest region
    named (宁波市奉化区人民政府办公室 → 奉化区, not 宁波市); else the first of `regions` (the root: province-wide).
    `regions`: (org id, name, level) of the root org first, then every org with children."""
    for text in texts:
        hits = [(level, len(name), -oid, oid) for oid, name, level in regions if text and name and name in text]
        if hits:
            return max(hits)[3]
    return regions[0][0] if regions else None


def plan_region(session: Session, ledger: dict[str, Any]) -> int | None:
    """`guess_region` over the store's org tree, for a plan imported without a saver's region (CLI, demo)."""
    child = aliased(Org)
    has_children = select(child.id).where(child.parent_id == Org.id).exists()
    regions = [tuple(r) for r in session.execute(select(Org.id, Org.name, Org.level)
                                                 .where(Org.parent_id.is_(None) | has_children)
                                                 .order_by(Org.level, Org.id))]
    return guess_region((ledger.get("issuer"), ledger.get("title")), regions)


def existing_plan(session: Session, ledger: dict[str, Any], content_hash: str) -> Plan | None:
    """The stored plan a ledger re-imports: the same 文号, else the same content."""
    doc_number = norm_doc_number(ledger.get("doc_number"))
    plan = session.scalar(select(Plan).where(Plan.doc_number == doc_number)) if doc_number else None
    return plan or session.scalar(select(Plan).where(Plan.content_hash == content_hash))


def import_ledger(session: Session, ledger: dict[str, Any], *, content_hash: str, actor: str,
                  org_id: int | None = None) -> LedgerImport:
    """`org_id`: the region that owns a new plan (the saver's org); None: the region its issuer names.
    A re-imported plan keeps its owner."""
    doc_number = norm_doc_number(ledger.get("doc_number"))
    plan = existing_plan(session, ledger, content_hash)
    other = session.scalar(select(Plan).where(Plan.content_hash == content_hash))
    if plan is not None and other is not None and other.id != plan.id:
        raise StoreError(f"文件内容与已导入的另一份文件（{other.title or other.file}）相同，但文号不同，未导入")
    created = plan is None
    if plan is None:
        plan = Plan(content_hash=content_hash, imported_at=utcnow())
        session.add(plan)
    old_hash = plan.content_hash
    plan.doc_number = doc_number
    plan.content_hash = content_hash
    plan.title = ledger.get("title")
    plan.issuer = ledger.get("issuer")
    plan.date = _date(ledger.get("date"))
    plan.level = plan_level(plan.issuer, doc_number)
    plan.file = ledger.get("file")
    plan.ledger = ledger
    plan.updated_at = utcnow()
    if plan.org_id is None:
        plan.org_id = org_id if org_id is not None else plan_region(session, ledger)
    session.flush()
    out = LedgerImport(plan_id=plan.id, created=created, title=plan.title)

    # Citations (上位文件) and lineage, resolved both ways by 文号.
    plan.citations.clear()
    session.flush()
    for cited in ledger.get("cited_policies") or []:
        num = norm_doc_number(cited.get("doc_number"))
        target = session.scalar(select(Plan).where(Plan.doc_number == num)) if num else None
        plan.citations.append(PlanCitation(title=cited.get("title") or "", doc_number=num,
                                           cited_plan_id=target.id if target and target.id != plan.id else None))
    if doc_number:
        for c in session.scalars(select(PlanCitation).where(PlanCitation.doc_number == doc_number,
                                                            PlanCitation.plan_id != plan.id)):
            c.cited_plan_id = plan.id

    # Tasks, keyed on outline path.
    units = _Units(session)
    existing = {t.path: t for t in session.scalars(select(Task).where(Task.plan_id == plan.id))}
    seen: set[str] = set()
    for pos, item in enumerate(ledger.get("tasks") or []):
        path = "/".join(str(p) for p in item.get("path") or []) or f"#{pos + 1}"
        base, n = path, 2
        while path in seen:
            path, n = f"{base}#{n}", n + 1
        seen.add(path)
        task = existing.get(path)
        if task is None:
            task = Task(plan_id=plan.id, path=path)
            session.add(task)
            out.tasks_added += 1
        else:
            out.tasks_updated += 1
        task.position = pos
        task.title = item.get("title")
        task.text = item.get("text")
        task.section = item.get("section")
        task.deadline = _date(item.get("deadline"))
        task.removed = False
        session.flush()
        task.units.clear()
        session.flush()
        for role, raw_key, canon_key in (("lead", "lead_units", "lead_units_canonical"),
                                         ("support", "support_units", "support_units_canonical")):
            done: set[int] = set()
            for i, (canon, raw) in enumerate(_unit_pairs(item.get(raw_key) or [], item.get(canon_key) or [])):
                unit = units.get(canon, raw)
                if unit.id not in done:
                    done.add(unit.id)
                    task.units.append(TaskUnit(unit_id=unit.id, role=role, position=i))
        old_targets = {(t.indicator, t.text): t for t in task.targets}
        keep: list[Target] = []
        for tpos, tg in enumerate(item.get("targets") or []):
            key = (tg.get("indicator") or "", tg.get("text") or "")
            target = old_targets.pop(key, None) or Target(indicator=key[0], text=key[1])
            target.position = tpos
            target.comparator = tg.get("comparator") or "="
            target.value = _float(tg.get("value"))
            target.value_high = _float(tg.get("value_high"))
            target.unit = tg.get("unit")
            target.deadline = _date(tg.get("deadline"))
            target.scope = tg.get("scope")
            target.start = int(tg.get("start", -1) if tg.get("start") is not None else -1)
            target.end = int(tg.get("end", -1) if tg.get("end") is not None else -1)
            if tg.get("catalog_code"):
                target.catalog_code = tg["catalog_code"]
            if tg.get("baseline") is not None and target.baseline_value is None:
                # the plan's own 从X提高到Y; a baseline a user set is theirs and stays
                target.baseline_value = _float(tg["baseline"])
                target.baseline_period = tg.get("baseline_period")
            elif tg.get("baseline_period") and target.baseline_value is None and target.baseline_period is None:
                target.baseline_period = tg["baseline_period"]  # 较2022年: each org's own value of that year
            keep.append(target)
        task.targets[:] = keep
        out.targets += len(keep)
    for path, task in existing.items():
        if path in seen:
            continue
        has_progress = session.scalar(select(TaskProgress.id).where(TaskProgress.task_id == task.id).limit(1))
        if has_progress:
            task.removed = True
        else:
            session.delete(task)
        out.tasks_removed += 1
    session.flush()
    audit(session, actor=actor, action="create" if created else "update", entity="plan",
          key=doc_number or content_hash[:16], old=None if created else old_hash, new=content_hash,
          source="file", detail=ledger.get("file"))
    return out


def lineage(session: Session, plan_id: int) -> list[Plan]:
    """The plan and the plans it cites, upward (district → city → province), without cycles."""
    out: list[Plan] = []
    seen: set[int] = set()
    frontier = [plan_id]
    while frontier:
        pid = frontier.pop(0)
        if pid in seen:
            continue
        seen.add(pid)
        plan = session.get(Plan, pid)
        if plan is None:
            continue
        out.append(plan)
        frontier.extend(c.cited_plan_id for c in plan.citations if c.cited_plan_id)
    return out
