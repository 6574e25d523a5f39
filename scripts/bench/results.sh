#!/usr/bin/env bash
# Benchmark: `kelas results` and `kelas report programme` beside `kelas report` (the completion report, the baseline:
# the same replay of every batch) on the same store, in the same run: the simulated seed programme (77 batches,
# 2,029 participants) and one group of 100,000, as `kelas simulate` stores them: participants answer the pre- and
# post-test in WhatsApp text (numbered lines, tokens, keywords, two messages, voice notes) and trainers type what
# cannot be read. Wall time and peak memory from GNU time, best of 3.
# Usage: bash scripts/bench/results.sh [participants of the big group, default 100000; 0 to skip it]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/release.sh
big=${1:-100000}
work=$(mktemp -d /tmp/kelas-results-bench-XXXXXX)
export KELAS_NOW=2030-01-01T00:00:00+07:00

measure() { # label, command… → "label seconds MB", best of 3
  local label=$1; shift
  local best="" mem=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    read -r seconds kb < "$work/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($seconds < $best)}"; then best=$seconds; fi
    mem=$(( kb > mem ? kb : mem ))
  done
  printf "%s\t%s\t%d\n" "$label" "$best" $(( mem / 1024 ))
}

table() {
  awk -F'\t' 'BEGIN { printf "| run | seconds | × kelas report | peak MB |\n|---|---:|---:|---:|\n" }
    NR == 1 { base = $2 }
    { printf "| %s | %.2f | %.2f | %d |\n", $1, $2, (base > 0 ? $2 / base : 0), $3 }'
}

answers() { # store → "N messages, M typed survey answers"
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
messages = db.execute("SELECT count(*) FROM inboundMessage").fetchone()[0]
typed = db.execute("SELECT count(DISTINCT batchID || phone || survey) FROM surveyAnswer").fetchone()[0]
print(f"{messages} messages, {typed} tests typed by trainers")
PY
}

"$kelas" simulate --preset programme --seed 1 --database "$work/programme.sqlite" >/dev/null 2>&1
echo "programme: 77 batches, 2,029 participants, $(answers "$work/programme.sqlite")"
{
  measure "kelas report (baseline)" "$kelas" report --database "$work/programme.sqlite"
  measure "kelas results" "$kelas" results --database "$work/programme.sqlite"
  measure "kelas results --by district --format csv" "$kelas" results --by district --format csv --database "$work/programme.sqlite"
  measure "kelas report programme" "$kelas" report programme --database "$work/programme.sqlite"
} | table

if [ "$big" -gt 0 ]; then
  "$kelas" simulate --seed 1 --participants "$big" --database "$work/big.sqlite" >/dev/null 2>&1
  echo; echo "one group of $big participants, $(answers "$work/big.sqlite")"
  {
    measure "kelas report (baseline)" "$kelas" report --database "$work/big.sqlite"
    measure "kelas results" "$kelas" results --database "$work/big.sqlite"
    measure "kelas report programme" "$kelas" report programme --database "$work/big.sqlite"
  } | table
fi
rm -rf "$work"
