"""Scores extracted ledgers against the hand-made gold ledgers in ../shared/gold_seeds.

Matching rules, fixed before tuning the extractor:
- tasks match on their outline path (labels compared after width folding);
- units match as (task path, role, unit) with role lead/support; unit names compared after
  traditional→simplified and width folding;
- targets match one-to-one within the same task: equal value (and value_high) and a similar
  indicator phrase (one contains the other, or character-bigram Dice >= 0.5);
- for matched targets, comparator, unit and deadline are compared exactly (unit after folding), and
  the stated baseline (从X提高到Y: X and its year; none where the gold file states none; the base
  year of a change such as 较2022年 is not annotated, so not scored).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import opencc

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
GOLD_DIR = SHARED / "gold_seeds"
SEED_DIR = SHARED / "seeds"

_t2s = opencc.OpenCC("t2s")
_FOLD = str.maketrans("（）［］【】：；，、　", "()[][]:;,, ")


def fold(s: str | None) -> str:
    if s is None:
        return ""
    return _t2s.convert(s).translate(_FOLD).strip()


def _core(s: str) -> str:
    return re.sub(r"[\s()\[\]“”\"'《》〔〕,;:。、]", "", fold(s))


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}


def indicator_similar(a: str, b: str) -> bool:
    a, b = _core(a), _core(b)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and short in long_:
        return True
    ba, bb = _bigrams(a), _bigrams(b)
    return 2 * len(ba & bb) / (len(ba) + len(bb)) >= 0.5


def _path_key(path) -> tuple[str, ...]:
    return tuple(fold(p) for p in path)


def _same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-3 * max(1.0, abs(float(b)))


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    tasks: Counts = field(default_factory=Counts)
    units: Counts = field(default_factory=Counts)
    units_any_role: Counts = field(default_factory=Counts)
    targets: Counts = field(default_factory=Counts)
    attr_total: int = 0
    attr_ok: dict[str, int] = field(
        default_factory=lambda: {"comparator": 0, "unit": 0, "deadline": 0, "baseline": 0, "all": 0, "scope": 0, "indicator_covers": 0}
    )
    meta_total: int = 0
    meta_ok: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tasks.add(other.tasks)
        self.units.add(other.units)
        self.units_any_role.add(other.units_any_role)
        self.targets.add(other.targets)
        self.attr_total += other.attr_total
        for k in self.attr_ok:
            self.attr_ok[k] += other.attr_ok[k]
        self.meta_total += other.meta_total
        self.meta_ok += other.meta_ok
        self.errors.extend(other.errors)

    def attr_rate(self, key: str) -> float:
        return self.attr_ok[key] / self.attr_total if self.attr_total else 1.0


def _count(gold: set, pred: set) -> Counts:
    return Counts(tp=len(gold & pred), fp=len(pred - gold), fn=len(gold - pred))


def score_ledger(pred: dict, gold: dict) -> Score:
    s = Score()
    name = gold["file"]
    gtasks = {_path_key(t["path"]): t for t in gold["tasks"]}
    ptasks = {_path_key(t["path"]): t for t in pred["tasks"]}
    s.tasks = _count(set(gtasks), set(ptasks))
    for k in set(gtasks) ^ set(ptasks):
        s.errors.append(f"{name} task {'missing' if k in gtasks else 'extra'}: {'/'.join(k)}")

    def unit_set(tasks, with_role=True):
        out = set()
        for k, t in tasks.items():
            for role in ("lead_units", "support_units"):
                for u in t[role]:
                    out.add((k, role if with_role else "", fold(u)))
        return out

    gu, pu = unit_set(gtasks), unit_set(ptasks)
    s.units = _count(gu, pu)
    s.units_any_role = _count(unit_set(gtasks, False), unit_set(ptasks, False))
    for u in sorted(gu - pu):
        s.errors.append(f"{name} unit missing: {'/'.join(u[0])} {u[1]} {u[2]}")
    for u in sorted(pu - gu):
        s.errors.append(f"{name} unit extra: {'/'.join(u[0])} {u[1]} {u[2]}")

    for k in set(gtasks) | set(ptasks):
        g_targets = list(gtasks.get(k, {"targets": []})["targets"])
        p_targets = list(ptasks.get(k, {"targets": []})["targets"])
        used: set[int] = set()
        for g in g_targets:
            hit = None
            for i, p in enumerate(p_targets):
                if i in used:
                    continue
                if (
                    _same_value(p["value"], g["value"])
                    and _same_value(p.get("value_high"), g.get("value_high"))
                    and indicator_similar(p["indicator"], g["indicator"])
                ):
                    hit = i
                    break
            if hit is None:
                s.targets.fn += 1
                s.errors.append(f"{name} target missing: {'/'.join(k)} {g['indicator']} {g['comparator']} {g['value']}")
                continue
            used.add(hit)
            s.targets.tp += 1
            p = p_targets[hit]
            s.attr_total += 1
            ok = {
                "comparator": p["comparator"] == g["comparator"],
                "unit": fold(p["unit"]) == fold(g["unit"]),
                "deadline": p["deadline"] == g["deadline"],
            }
            for key, good in ok.items():
                s.attr_ok[key] += good
                if not good:
                    s.errors.append(
                        f"{name} target {key} wrong: {'/'.join(k)} {g['indicator']}: "
                        f"got {p[key]!r} want {g[key]!r}"
                    )
            s.attr_ok["all"] += all(ok.values())
            # 从X提高到Y: the stated baseline X and its year (gold files without the key state none). The
            # year a change is measured from (较2022年下降10%) is not annotated in the gold, so not scored.
            base_ok = p.get("baseline") == g.get("baseline") and (
                g.get("baseline") is None or p.get("baseline_period") == g.get("baseline_period"))
            s.attr_ok["baseline"] += base_ok
            if not base_ok:
                s.errors.append(f"{name} target baseline wrong: {'/'.join(k)} {g['indicator']}: "
                                f"got {p.get('baseline')!r}/{p.get('baseline_period')!r} "
                                f"want {g.get('baseline')!r}/{g.get('baseline_period')!r}")
            s.attr_ok["scope"] += fold(p.get("scope")) == fold(g.get("scope"))
            s.attr_ok["indicator_covers"] += _core(g["indicator"]) in _core(p["indicator"])
        for i, p in enumerate(p_targets):
            if i not in used:
                s.targets.fp += 1
                s.errors.append(f"{name} target extra: {'/'.join(k)} {p['indicator']} {p['comparator']} {p['value']}")

    for key in ("title", "issuer", "doc_number", "date"):
        s.meta_total += 1
        if fold(pred.get(key)) == fold(gold.get(key)):
            s.meta_ok += 1
        else:
            s.errors.append(f"{name} {key}: got {pred.get(key)!r} want {gold.get(key)!r}")
    gc = {(fold(c["title"]), fold(c["doc_number"])) for c in gold["cited_policies"]}
    pc = {(fold(c["title"]), fold(c["doc_number"])) for c in pred["cited_policies"]}
    s.meta_total += len(gc | pc)
    s.meta_ok += len(gc & pc)
    for c in gc ^ pc:
        s.errors.append(f"{name} cited {'missing' if c in gc else 'extra'}: {c}")
    return s


def load_gold() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))}


def report(score: Score) -> str:
    lines = [
        f"tasks   P={score.tasks.precision:.3f} R={score.tasks.recall:.3f} F1={score.tasks.f1:.3f}",
        f"units   P={score.units.precision:.3f} R={score.units.recall:.3f} F1={score.units.f1:.3f}"
        f"  (any role F1={score.units_any_role.f1:.3f})",
        f"targets P={score.targets.precision:.3f} R={score.targets.recall:.3f} F1={score.targets.f1:.3f}",
        f"matched targets {score.attr_total}: comparator {score.attr_rate('comparator'):.3f} "
        f"unit {score.attr_rate('unit'):.3f} deadline {score.attr_rate('deadline'):.3f} "
        f"all three {score.attr_rate('all'):.3f}, baseline {score.attr_rate('baseline'):.3f}\n"
        f"  not criteria: scope {score.attr_rate('scope'):.3f}, "
        f"indicator phrase contains the gold phrase {score.attr_rate('indicator_covers'):.3f}",
        f"metadata+citations {score.meta_ok}/{score.meta_total}",
    ]
    return "\n".join(lines)
