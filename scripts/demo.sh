#!/usr/bin/env bash
# Installs what is missing, builds kelas, and runs the main job on the embedded default:
# the example batch, validated, day 2's plan printed, imported into the SQLite store (kelas.sqlite, or
# $KELAS_DATABASE), an example WhatsApp chat export ingested (idempotent: a second run adds nothing), and its
# status grid and completion report shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product kelas
kelas=".build/release/kelas"
example="examples/gresik-2021-07/batch.yaml"
"$kelas" validate "$example"
"$kelas" plan "$example" --day 2
"$kelas" batch add "$example"
"$kelas" ingest chat examples/chats/gresik-2021-07-android.txt --batch gresik-2021-07
"$kelas" status gresik-2021-07
"$kelas" report
