#!/usr/bin/env bash
# Chaos: a fan-out week of the example batch (24 participants × 27 messages = 648) through the webhook sink to a local
# receiver that verifies every Standard Webhooks signature and fails every third request; `kelas run --once` is played
# across the week in 10-minute steps, and 20 of the runs that have messages to send are killed with SIGKILL mid-send.
# Prints planned / sent / dead / expired / lost / duplicate deliveries. Lost must be 0: every message the store calls
# sent reached the receiver, and none is left queued or claimed. Exit 1 otherwise. Loopback only; bounded in time.
# Usage: scripts/chaos/kill-dispatch.sh [KILLS, default 20]
set -euo pipefail
cd "$(dirname "$0")/../.."
kills_wanted=${1:-20}
bash scripts/setup.sh
swift build --product kelas >&2
kelas=$PWD/.build/debug/kelas
work=$(mktemp -d /tmp/kelas-chaos-XXXXXX)
trap 'kill $receiver 2>/dev/null || true' EXIT
export KELAS_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
database=$work/kelas.sqlite

touch "$work/seen"
python3 scripts/chaos/receiver.py "$KELAS_WEBHOOK_SECRET" "$work/accepted" "$work/rejected" "$work/seen" > "$work/port" &
receiver=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")

"$kelas" init "$work/batch" >/dev/null
sed -i "s|mode: group|mode: fanout\n  sink: webhook:http://127.0.0.1:$port/kelas|" "$work/batch/batch.yaml"
KELAS_NOW=2021-07-04T09:00:00+07:00 "$kelas" batch add "$work/batch/batch.yaml" --database "$database" >&2

kills=0 runs=0 midsend=0
# 07:00 to 21:00 of each day in 10-minute steps (the 1-second lease of a killed run has lapsed before the next).
for day in 05 06 07 08 09 10 11; do
  for minutes in $(seq 420 10 1260); do
    now=$(printf "2021-07-%sT%02d:%02d:00+07:00" "$day" $((minutes / 60)) $((minutes % 60)))
    due=$(python3 - "$database" "$now" <<'PY'
import sqlite3, sys, datetime
now = datetime.datetime.fromisoformat(sys.argv[2]).timestamp()
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('queued','claimed') AND nextAttemptAt <= ?", (now,)).fetchone()[0])
PY
)
    [ "$due" -gt 0 ] || continue
    runs=$((runs + 1))
    if [ "$kills" -lt "$kills_wanted" ] && [ "$due" -ge 8 ] && [ $((runs % 2)) -eq 0 ]; then
      # Killed once the receiver has seen a few of its requests (each answer takes 20 ms; rounds of 4 in flight).
      before=$(wc -l < "$work/seen")
      "$kelas" run --once --now "$now" --lease 1 --in-flight 4 --database "$database" >/dev/null 2>&1 &
      pid=$!
      target=$((before + 2 + RANDOM % 6))
      for _ in $(seq 300); do
        [ "$(wc -l < "$work/seen")" -ge "$target" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
      done
      kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
      wait "$pid" 2>/dev/null || true
      claimed=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM outbox WHERE state='claimed'\").fetchone()[0])" "$database")
      [ "$claimed" -gt 0 ] && midsend=$((midsend + 1))
      sleep 1.1
    else
      "$kelas" run --once --now "$now" --lease 1 --in-flight 4 --database "$database" >/dev/null 2>&2
    fi
  done
done
# The week is over: what is left expires.
"$kelas" run --once --now 2021-07-12T09:00:00+07:00 --database "$database" >/dev/null

python3 - "$database" "$work/accepted" "$work/rejected" "$kills" "$midsend" "$runs" <<'PY'
import collections, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
states = collections.Counter(dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()))
sent_ids = {row[0] for row in db.execute("SELECT webhookID FROM outbox WHERE state = 'sent'")}
accepted = [line.strip() for line in open(sys.argv[2])] if __import__("os").path.exists(sys.argv[2]) else []
rejected = [line.strip() for line in open(sys.argv[3])] if __import__("os").path.exists(sys.argv[3]) else []
counts = collections.Counter(accepted)
planned = sum(states.values())
lost_sent = len(sent_ids - set(counts))           # marked sent, never accepted by the receiver
stuck = states["queued"] + states["claimed"]      # neither sent nor given up on
lost = lost_sent + stuck
duplicates = sum(n - 1 for n in counts.values())
print(f"runs {sys.argv[6]}, SIGKILLed {sys.argv[4]} ({sys.argv[5]} left claims behind, taken back after their lease)")
print(f"planned {planned} | sent {states['sent']} | skipped {states['skipped']} | dead {states['dead']} | failed {states['failed']} "
      f"| expired {states['expired']} | lost {lost} | duplicate deliveries {duplicates} | bad signatures {len(rejected)}")
sys.exit(0 if lost == 0 and not rejected and planned > 0 else 1)
PY
