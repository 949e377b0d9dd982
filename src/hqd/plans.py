"""A plan as the rest of hqd sees it: its document read, its ledger extracted, its targets linked
to the indicator catalog. The one place where `policy` (pure text rules) meets `catalog`."""

from __future__ import annotations

from pathlib import Path

from hqd.catalog import default_catalog, match_code
from hqd.policy import Ledger, extract_ledger
from hqd.policy.readers import read_document

_SHARE_UNITS = {"%", "‰", "个百分点", "百分点", "fraction"}


def _compatible(target_unit: str | None, indicator_unit: str) -> bool:
    """A count to build (500个村卫生室) is not the rate of the same words (规范化村卫生室建设率)."""
    if target_unit in _SHARE_UNITS:
        return True
    return indicator_unit != "%"


def link_targets(ledger: Ledger) -> Ledger:
    """Fill each target's `catalog_code` with the catalog indicator its phrase names, if any clearly does."""
    catalog = default_catalog()
    for task in ledger.tasks:
        for target in task.targets:
            code = match_code(target.indicator)
            if code is None and target.scope:
                # 基层医疗卫生机构诊疗量占比: the extractor split a qualifier that is part of the name
                code = match_code(target.scope + target.indicator)
            if code and _compatible(target.unit, catalog.get(code).unit):
                target.catalog_code = code
    return ledger


def ledger_from_text(text: str, file: str = "") -> Ledger:
    return link_targets(extract_ledger(text, file=file))


def read_plan(path: str | Path) -> tuple[Ledger, list[str]]:
    """(ledger, reader warnings) of a plan document; raises PolicyInputError for unreadable files."""
    document = read_document(path)
    return ledger_from_text(document.text, file=Path(path).name), document.warnings
