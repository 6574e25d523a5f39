#!/usr/bin/env bash
# Installs what is missing, builds kelas, and runs it on the example batch: validate, then day 2's plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product kelas
kelas=".build/release/kelas"
example="examples/gresik-2021-07/batch.yaml"
"$kelas" validate "$example"
"$kelas" plan "$example" --day 2
