#!/usr/bin/env bash
# Renders a simulated week as HTML (`kelas simulate --html`) and takes screenshots of it in headless Chromium
# (from Debian), to check the page renders like a WhatsApp group on a phone-sized and a desktop-sized screen.
# Usage: bash scripts/simulate-screenshot.sh [out-dir]     (default docs/; installs chromium if missing, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/chromium.sh
out=${1:-docs}
mkdir -p "$out"
.build/debug/kelas simulate --seed 7 --html "$out/simulated-week.html" >/dev/null
page="file://$PWD/$out/simulated-week.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=412,1400 \
  --screenshot="$PWD/$out/simulated-week-phone.png" "$page" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1800 \
  --screenshot="$PWD/$out/simulated-week-desktop.png" "$page" 2>/dev/null
ls -l "$out"/simulated-week*
