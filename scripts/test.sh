#!/usr/bin/env bash
# Runs the whole test suite; pytest's exit 5 (no tests collected) counts as a failure here.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "没有收集到任何测试 (pytest exit 5)" >&2
  exit 1
fi
exit $rc
