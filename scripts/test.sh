#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
