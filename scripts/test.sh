#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: Swift Testing, then the pages in a real browser
# (headless Chromium through chromium-driver and Python selenium, installed by scripts/browser-test.sh).
# Arguments go to `swift test` (e.g. --filter ServerTests) and then skip the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
if [ $# -eq 0 ]; then
  bash scripts/browser-test.sh
fi
