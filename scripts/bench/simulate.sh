#!/usr/bin/env bash
# Benchmark: `kelas simulate` — a 100-participant week, the 77-batch programme, and one group grown to 1,000, 10,000
# and 100,000 participants (to see how time and memory grow with size). Each run goes through the whole pipeline:
# simulate, store in an in-memory SQLite, replay the tracker. Live mode (--webhook --speed max: the real dispatcher,
# a jsonl sink, every reply decoded from a webhook payload and ingested at its minute) for 24, 100 and 1,000. Baseline measured in the same run: starting kelas at
# all (`kelas --version`). Wall time and peak memory from GNU time; best of 3 for the small runs.
# Usage: bash scripts/bench/simulate.sh [max-participants]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/release.sh
max=${1:-100000}

measure() { # label, runs, command… → "label seconds MB"
  local label=$1 runs=$2; shift 2
  local best="" mem=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o /tmp/kelas-bench-time "$@" >/dev/null 2>&1
    read -r seconds kb < /tmp/kelas-bench-time
    if [ -z "$best" ] || awk "BEGIN{exit !($seconds < $best)}"; then best=$seconds; fi
    mem=$(( kb > mem ? kb : mem ))
  done
  printf "%s\t%s\t%d\n" "$label" "$best" $(( mem / 1024 ))
}

{
  measure "baseline: kelas --version" 3 "$kelas" --version
  measure "week, 24 participants (example)" 3 "$kelas" simulate --seed 1
  measure "week, 100 participants" 3 "$kelas" simulate --seed 1 --participants 100
  measure "programme: 77 batches, 2,029 participants" 3 "$kelas" simulate --preset programme --seed 1
  live=$(mktemp -d)
  for n in 24 100 1000; do
    [ "$n" -le "$max" ] || continue
    measure "live week (--webhook --speed max), $n participants" 1 "$kelas" simulate --seed 1 --participants "$n" --webhook --speed max --sink "jsonl:$live/sent-$n.jsonl"
  done
  rm -rf "$live"
  for n in 1000 10000 100000; do
    [ "$n" -le "$max" ] || continue
    measure "one group, $n participants" 1 "$kelas" simulate --seed 1 --participants "$n"
  done
} | awk -F'\t' 'BEGIN { printf "| run | seconds | × baseline | peak MB |\n|---|---:|---:|---:|\n" }
  NR == 1 { base = $2 }
  { printf "| %s | %.2f | %.1f | %d |\n", $1, $2, (base > 0 ? $2 / base : 0), $3 }'
