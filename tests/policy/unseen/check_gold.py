"""Checks the unseen gold ledgers against their source texts (run: python check_gold.py).

Every document field, task title, unit, target text, scope, cited title and doc number must be
an exact substring of the source (titles may run across a line break); keys follow the seeds'
gold schema exactly (targets may add the optional "baseline" number and "baseline_period"
4-digit string); every target text is a whole clause delimited by ，；。 (or a line end).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC_KEYS = ["file", "title", "issuer", "doc_number", "date", "cited_policies", "tasks", "notes"]
TASK_KEYS = ["path", "title", "lead_units", "support_units", "deadline", "targets"]
TARGET_KEYS = ["indicator", "comparator", "value", "value_high", "unit", "deadline", "scope", "text"]
# optional, in this order after TARGET_KEYS, only on targets stated from a baseline (u09, u10)
OPTIONAL_TARGET_KEYS = ["baseline", "baseline_period"]
COMPARATORS = {">=", "<=", "=", "~", "range", "increase", "decrease"}
DATE = re.compile(r"\d{4}-\d\d-\d\d")


def check(gold_path: Path) -> list[str]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    src = (HERE / gold["file"]).read_text(encoding="utf-8")
    flat = re.sub(r"\s*\n\s*", "", src)
    errs: list[str] = []

    def sub(s: str | None, what: str) -> None:
        if s is not None and s not in src and s not in flat:
            errs.append(f"{what}: {s!r} not in source")

    if list(gold) != DOC_KEYS:
        errs.append(f"document keys {list(gold)}")
    sub(gold["title"], "title")
    for name in (gold["issuer"] or "").split("、"):
        sub(name or None, "issuer")
    sub(gold["doc_number"], "doc_number")
    if gold["date"] is not None and not DATE.fullmatch(gold["date"]):
        errs.append(f"date {gold['date']!r}")
    for c in gold["cited_policies"]:
        sub(c["title"], "cited title")
        sub(c["doc_number"], "cited doc number")
    paths = set()
    for t in gold["tasks"]:
        key = tuple(t["path"])
        if list(t) != TASK_KEYS:
            errs.append(f"{key}: task keys {list(t)}")
        if key in paths:
            errs.append(f"{key}: duplicate path")
        paths.add(key)
        sub(t["title"], f"{key} title")
        for u in t["lead_units"] + t["support_units"]:
            sub(u, f"{key} unit")
        if t["deadline"] is not None and not DATE.fullmatch(t["deadline"]):
            errs.append(f"{key}: deadline {t['deadline']!r}")
        for g in t["targets"]:
            extra = list(g)[len(TARGET_KEYS):]
            if list(g)[: len(TARGET_KEYS)] != TARGET_KEYS or extra not in ([], OPTIONAL_TARGET_KEYS[:1], OPTIONAL_TARGET_KEYS):
                errs.append(f"{key}: target keys {list(g)}")
            if "baseline" in g and (isinstance(g["baseline"], bool) or not isinstance(g["baseline"], (int, float))):
                errs.append(f"{key}: baseline {g['baseline']!r} is not a number")
            if "baseline_period" in g and not (isinstance(g["baseline_period"], str) and re.fullmatch(r"\d{4}", g["baseline_period"])):
                errs.append(f"{key}: baseline_period {g['baseline_period']!r} is not a 4-digit string")
            if g["comparator"] not in COMPARATORS:
                errs.append(f"{key}: comparator {g['comparator']!r}")
            if (g["comparator"] == "range") != (g["value_high"] is not None):
                errs.append(f"{key}: range without value_high (or the reverse)")
            sub(g["text"], f"{key} target text")
            sub(g["scope"], f"{key} scope")
            if re.search(r"[，,；;。]", g["text"]):
                errs.append(f"{key}: text spans a clause delimiter: {g['text']!r}")
    return errs


def main() -> int:
    bad = 0
    for gold_path in sorted(HERE.glob("u*.json")):
        errs = check(gold_path)
        bad += len(errs)
        print(f"{gold_path.name}: {'ok' if not errs else f'{len(errs)} problem(s)'}")
        for e in errs:
            print("  ", e)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
