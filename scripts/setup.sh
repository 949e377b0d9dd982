#!/usr/bin/env bash
# One-time set-up on a fresh machine: system packages, a virtualenv, hqd and its dev tools.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice: .doc/.wps input and PDF reports; Noto CJK: report fonts; poppler: PDF checks; Java: Spark;
# chromium: the browser tests (Playwright drives Debian's build, never a downloaded one).
APT_PACKAGES=(libreoffice-writer-nogui fonts-noto-cjk poppler-utils libharfbuzz-subset0 openjdk-17-jre-headless chromium)
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

# ECharts for the web UI's charts, from the npm registry into the package's static folder (no CDN at run time).
ECHARTS_VERSION=5.5.1
echarts_js=src/hqd/web/static/vendor/echarts.min.js
if [ ! -f "$echarts_js" ] || ! grep -q "$ECHARTS_VERSION" "$echarts_js.version" 2>/dev/null; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null && tar -xzf "echarts-$ECHARTS_VERSION.tgz")
  mkdir -p "$(dirname "$echarts_js")"
  cp "$tmp/package/dist/echarts.min.js" "$echarts_js"
  echo "$ECHARTS_VERSION" > "$echarts_js.version"
  rm -rf "$tmp"
fi
