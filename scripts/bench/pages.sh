#!/usr/bin/env bash
# Benchmark: the pages of `kelas serve` (release, loopback only) under 8 concurrent clients, on the seed programme as
# `kelas simulate --preset programme --database …` stores it (77 batches, 2,029 participants) and, with `x10`, on ten
# times that (`--preset programme-x10`: 770 batches, 20,290 participants). For each page: requests per second and p99
# latency from wrk, beside GET /healthz of the same server in the same run (the baseline: Hummingbird answering
# without the store), each after one request that warms the server's read model. The clock is fixed (KELAS_NOW) on the last batch's Wednesday, so /today has a batch to show.
# Usage: bash scripts/bench/pages.sh [SECONDS=5] [x10]      (installs wrk and sqlite3 from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/release.sh
for tool in wrk sqlite3 curl; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done
seconds=${1:-5}
scales=("programme")
[ "${2:-}" = "x10" ] && scales+=("programme-x10")
connections=8

work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export KELAS_ADMIN_TOKEN=bench KELAS_LANG=en

run() { # label, url → "label rps p99 non2xx" (after one request that warms the read model: a server does that once)
  local label=$1 url=$2
  curl -sf -o /dev/null -H "Authorization: Bearer bench" "$url"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer bench" "$url" >"$work/wrk.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); errors=${errors:-0}
  printf "%s\t%s\t%s\t%s\n" "$label" "$rps" "$p99" "$errors"
}

echo "| store | page ($connections clients, ${seconds} s, loopback) | req/s | × /healthz | p99 | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
for scale in "${scales[@]}"; do
  store="$work/$scale.sqlite"
  "$kelas" simulate --preset "$scale" --seed 1 --database "$store" >/dev/null
  last=$(sqlite3 "$store" "SELECT id FROM batch ORDER BY start DESC, id LIMIT 1")
  wednesday=$(sqlite3 "$store" "SELECT date(start, '+2 days') FROM batch WHERE id = '$last'")
  export KELAS_NOW="${wednesday}T10:00:00+07:00"
  "$kelas" serve --no-dispatch --port 0 --database "$store" 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 300); do grep -q "SIGTERM or Ctrl-C stops" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)
  {
    run "GET /healthz (baseline)" "$base/healthz"
    run "GET /" "$base/"
    run "GET /batches/$last" "$base/batches/$last"
    run "GET /report" "$base/report"
    run "GET /today" "$base/today"
    run "GET /results" "$base/results"
    run "GET /batches/$last/results" "$base/batches/$last/results"
  } >"$work/$scale.tsv"
  kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""
  awk -F'\t' -v store="$scale" 'NR == 1 { base = $2 }
    { printf "| %s | %s | %.0f | %.3f | %s | %s |\n", (NR == 1 ? store : ""), $1, $2, $2 / base, $3, $4 }' "$work/$scale.tsv"
done
