#!/usr/bin/env bash
# Benchmark: streaming ingest of large WhatsApp chat exports.
#
# Writes synthetic Android exports of 50 MB and SIZE_MB (default 500 MB) with make-export.py, then measures on each,
# in the same run, wall time and peak memory (max RSS, /usr/bin/time) of:
#   - wc -l                                  the floor: reading the bytes and finding the lines
#   - whatstk (Python, pandas)               the baseline: a well-known open-source export parser, same file
#   - kelas ingest chat --dry-run            parse, classify, match authors, count
#   - kelas ingest chat --batch ...          the same, stored in a fresh SQLite store in one transaction
#   - sqlite3: INSERT ... SELECT             the storing floor: SQLite alone copying the rows kelas stored (same
#                                            schema, order and conflict clause; no parsing, no Swift) into a fresh store
#                                            (the WHERE keeps SQLite from its empty-table bulk copy, which kelas cannot use)
# Flat memory means kelas's peak RSS is the same for 50 MB and SIZE_MB.
#
# Usage: bash scripts/bench/ingest-chat.sh [SIZE_MB]      (installs whatstk with pip if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh sqlite3
python3 -c "import whatstk" 2>/dev/null || python3 -m pip install --quiet whatstk
swift build -c release --product kelas >/dev/null
kelas="$PWD/.build/release/kelas"
big=${1:-500}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Each command runs $RUNS times (default 3; before each, $PREPARE if set, untimed) and the median time is shown: one
# run of a few seconds on this machine varies by 10-15 %.
runs=${RUNS:-3}
measure() { # label size command...
  local label=$1 size=$2; shift 2
  : >"$work/times"
  for _ in $(seq "$runs"); do
    if [ -n "${PREPARE:-}" ]; then eval "$PREPARE"; fi
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    cat "$work/time" >>"$work/times"
  done
  sort -n "$work/times" | awk -v l="$label" -v s="$size" -v n="$runs" '
    { t[NR] = $1; if ($2 > k) k = $2 }
    END { m = t[int((n + 1) / 2)]; printf "| %s | %d MB | %.2f s | %.0f MB/s | %.0f MB |\n", l, s, m, (m > 0 ? s / m : 0), k / 1024 }'
}

echo "| command | export | time | throughput | peak memory |"
echo "|---|---|---|---|---|"
for size in 50 "$big"; do
  file="$work/export-$size.txt"
  python3 scripts/bench/make-export.py "$size" "$file"
  measure "wc -l (floor)" "$size" wc -l "$file"
  measure "whatstk 0.9 (baseline)" "$size" python3 -c "
import sys
from whatstk import WhatsAppChat
WhatsAppChat.from_source(filepath=sys.argv[1], hformat='%d/%m/%y %H.%M - %name:', max_size=None)" "$file"
  measure "kelas ingest chat --dry-run" "$size" "$kelas" ingest chat "$file" --dry-run
  PREPARE='rm -f "$work/kelas.sqlite"*; "$kelas" batch add examples/gresik-2021-07/batch.yaml --database "$work/kelas.sqlite" >/dev/null' \
    measure "kelas ingest chat (into SQLite)" "$size" "$kelas" ingest chat "$file" --batch gresik-2021-07 --database "$work/kelas.sqlite"
  PREPARE='rm -f "$work/floor.sqlite"*; "$kelas" batch add examples/gresik-2021-07/batch.yaml --database "$work/floor.sqlite" >/dev/null' \
    measure "sqlite3 INSERT … SELECT of those rows (floor)" "$size" sqlite3 "$work/floor.sqlite" "PRAGMA cache_size = -65536;
    ATTACH '$work/kelas.sqlite' AS stored; BEGIN;
    INSERT OR IGNORE INTO main.inboundMessage SELECT * FROM stored.inboundMessage WHERE sentAt > 0 ORDER BY rowid;
    COMMIT;"
  rm -f "$file"
done
