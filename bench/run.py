"""Runs every benchmark: `make bench` (or `python bench/run.py`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHMARKS = ["policy_ingest", "evaluate", "collect_import", "records", "web_load"]

if __name__ == "__main__":
    for name in BENCHMARKS:
        importlib.import_module(name).main()
        print()
