#!/usr/bin/env bash
# One-time set-up on a fresh machine: system packages, a virtualenv, hqd and its dev tools.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice: .doc/.wps input and PDF reports; Noto CJK: report fonts; poppler: PDF checks; Java: Spark.
APT_PACKAGES=(libreoffice-writer-nogui fonts-noto-cjk poppler-utils libharfbuzz-subset0 openjdk-17-jre-headless)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "安装系统软件包: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "警告: 缺少系统软件包 ${missing[*]}，请以 root 身份运行 apt-get install" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.setup-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev,embeddings]"
  touch "$stamp"
fi
