#!/usr/bin/env bash
# Simulates the seed programme (seed 1), writes its programme report as HTML (`kelas report programme --format html`)
# and photographs it in headless Chromium (from Debian), to check that the report renders and prints cleanly.
# Usage: bash scripts/report-screenshot.sh [out-dir]     (default docs/; installs chromium if missing, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/chromium.sh
out=${1:-docs}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/debug/kelas simulate --preset programme --seed 1 --database "$work/programme.sqlite" >/dev/null
.build/debug/kelas report programme --format html --database "$work/programme.sqlite" > "$work/programme-report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,2600 \
  --screenshot="$PWD/$out/programme-report.png" "file://$work/programme-report.html" 2>/dev/null
ls -l "$out"/programme-report.png
