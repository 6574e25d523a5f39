#!/usr/bin/env bash
# Benchmark: how long `kelas plan` takes on the example batch, and `kelas status BATCH` on the seed programme's store
# (`kelas simulate --preset programme`), against the baseline of starting kelas at all (`kelas --version`), measured in
# the same run with hyperfine. Also a 100-participant fan-out week (2,700 messages).
# Usage: bash scripts/bench/plan.sh            (installs hyperfine from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
for tool in hyperfine sqlite3; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq "$tool" >/dev/null; }
done
swift build -c release --product kelas >/dev/null
kelas="$PWD/.build/release/kelas"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$kelas" init "$work/fanout" >/dev/null
python3 - "$work/fanout" <<'PY'
import sys, pathlib
d = pathlib.Path(sys.argv[1])
b = d / "batch.yaml"
b.write_text(b.read_text().replace("mode: group", "mode: fanout"))
rows = ["name,phone"] + [f"Peserta {i},0813-7777-{i:04d}" for i in range(100)]
(d / "participants.csv").write_text("\n".join(rows) + "\n")
PY

"$kelas" simulate --preset programme --seed 1 --database "$work/programme.sqlite" >/dev/null
last=$(sqlite3 "$work/programme.sqlite" "SELECT id FROM batch ORDER BY start DESC, id LIMIT 1")
export KELAS_NOW=2021-09-22T10:00:00+07:00 KELAS_LANG=en
hyperfine --warmup 3 --runs 30 -N --export-markdown "$work/result.md" \
  -n baseline "$kelas --version" \
  -n "plan day 1 (table)" "$kelas plan examples/gresik-2021-07/batch.yaml --day 1" \
  -n "status $last (programme store)" "$kelas status $last --database $work/programme.sqlite" \
  -n "plan week (json)" "$kelas plan examples/gresik-2021-07/batch.yaml --format json" \
  -n "plan fan-out week, 100 people (json)" "$kelas plan $work/fanout/batch.yaml --format json" >/dev/null
cat "$work/result.md"
