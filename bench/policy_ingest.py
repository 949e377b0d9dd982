"""Benchmark: ingest the five sample plans repeatedly; plans per second and the share of each stage.

Baseline, measured in the same run: reading the file and the traditional→simplified normalization
alone (the floor any extractor pays). The ratio says how much the rules cost on top of it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hqd.plans import link_targets
from hqd.policy import extract_ledger
from hqd.policy.normalize import analysis_text

PLANS = sorted((Path(__file__).resolve().parents[1] / "examples" / "plans").glob("*.txt"))


def _run(fn, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for path in PLANS:
            fn(path)
    return time.perf_counter() - start


def main(rounds: int = 40) -> None:
    _run(lambda p: extract_ledger(p.read_text(encoding="utf-8")), 2)  # warm caches (OpenCC, regexes)
    base = _run(lambda p: analysis_text(p.read_text(encoding="utf-8")), rounds)
    profile: dict[str, float] = {}
    full = _run(lambda p: extract_ledger(p.read_text(encoding="utf-8"), p.name, profile=profile), rounds)
    _run(lambda p: link_targets(extract_ledger(p.read_text(encoding="utf-8"))), 1)  # load the catalog once
    linked = _run(lambda p: link_targets(extract_ledger(p.read_text(encoding="utf-8"))), rounds)
    docs = rounds * len(PLANS)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in PLANS) * rounds
    print(f"policy ingest: {docs} plans, {chars / 1e6:.1f} M characters, one core")
    print(f"  hqd extract_ledger : {docs / full:8.1f} plans/s  ({full / docs * 1000:.2f} ms per plan)")
    print(f"  + catalog linking  : {docs / linked:8.1f} plans/s")
    print(f"  baseline read+t2s  : {docs / base:8.1f} plans/s")
    print(f"  ratio extract/baseline time: {full / base:.1f}x")
    total = sum(profile.values())
    for stage, sec in sorted(profile.items(), key=lambda kv: -kv[1]):
        print(f"  stage {stage:10s} {sec / total:6.1%}")
    target = 100
    print(f"  goal >= {target} plans/s: {'met' if docs / full >= target else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
