#!/usr/bin/env bash
# Load test: signed WhatsApp webhook POSTs against `kelas serve` (release, loopback only, bounded in time), with wrk
# from Debian, on the seed programme's store (`kelas simulate --preset programme --database …`: 77 batches, 2,029
# participants) and, with `x10`, on ten times that (`--preset programme-x10`: 770 batches, 20,290 participants).
# Reports requests per second and p99 latency, beside GET /healthz of the same server in the same run (the baseline:
# Hummingbird answering without the store), and checks that no request was lost: every 200 wrk counted is a row in the
# store's webhook inbox, nothing is left pending, and every distinct message was stored.
#
# Payloads: N distinct Cloud API payloads (one text message each, from the programme's participants), signed with
# the app secret, cycled by each wrk connection; a repeated payload is stored again (WhatsApp retries look like that)
# and deduplicated on its message id when applied.
# Usage: bash scripts/bench/serve.sh [SECONDS=10] [CONNECTIONS=16] [x10]   (installs wrk and sqlite3 from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
for tool in wrk curl sqlite3; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done
swift build -c release --product kelas >/dev/null
kelas="$PWD/.build/release/kelas"
seconds=${1:-10}
connections=${2:-16}
distinct=20000

work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
preset=programme; [ "${3:-}" = "x10" ] && preset=programme-x10
"$kelas" simulate --preset "$preset" --seed 1 --database "$work/kelas.sqlite" >/dev/null
base_messages=$(sqlite3 "$work/kelas.sqlite" "SELECT COUNT(*) FROM inboundMessage")
export KELAS_ADMIN_TOKEN=bench KELAS_WHATSAPP_APP_SECRET=bench-app-secret

python3 - "$work/payloads.tsv" "$distinct" <<'PY'
import hashlib, hmac, json, sys
path, count = sys.argv[1], int(sys.argv[2])
with open(path, "w") as out:
    for n in range(count):
        sender = "628115%07d" % (n * 7919 % 2029)   # the programme's participants, spread over its batches
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "contacts": [{"wa_id": sender, "profile": {"name": "P"}}],
            "messages": [{"from": sender, "id": "wamid.bench.%d" % n, "timestamp": str(1625537400 + n), "type": "text",
                          "text": {"body": "jawaban nomor %d" % n}}]}}]}]}, separators=(",", ":"))
        signature = hmac.new(b"bench-app-secret", body.encode(), hashlib.sha256).hexdigest()
        out.write("sha256=%s\t%s\n" % (signature, body))
PY
cat >"$work/post.lua" <<'LUA'
local requests, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("([^\t]+)\t(.*)")
    requests[#requests + 1] = wrk.format("POST", "/webhooks/whatsapp",
      { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signature }, body)
  end
  i = math.random(#requests)
end
function request() i = i % #requests + 1; return requests[i] end
LUA

"$kelas" serve --no-dispatch --port 0 --database "$work/kelas.sqlite" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q "SIGTERM or Ctrl-C stops" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)

run() { # label, wrk arguments… → "label rps p99 requests non2xx"
  local label=$1; shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" >"$work/wrk.txt"
  local rps p99 requests errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); errors=${errors:-0}
  printf "%s\t%s\t%s\t%s\t%s\n" "$label" "$rps" "$p99" "$requests" "$errors"
}
baseline=$(run "GET /healthz (baseline)" "$base/healthz")
webhooks=$(run "POST /webhooks/whatsapp (signed, stored)" -s "$work/post.lua" "$base/webhooks/whatsapp" -- "$work/payloads.tsv")
kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""

received=$(sqlite3 "$work/kelas.sqlite" "SELECT COUNT(*) FROM webhookInbox")
pending=$(sqlite3 "$work/kelas.sqlite" "SELECT COUNT(*) FROM webhookInbox WHERE appliedAt IS NULL")
messages=$(( $(sqlite3 "$work/kelas.sqlite" "SELECT COUNT(*) FROM inboundMessage") - base_messages ))
routed=$(sqlite3 "$work/kelas.sqlite" "SELECT COUNT(*) FROM inboundMessage WHERE id LIKE 'wamid.bench.%' AND batchID IS NOT NULL")
distinct_sent=$(sqlite3 "$work/kelas.sqlite" "SELECT COUNT(DISTINCT json_extract(body, '\$.entry[0].changes[0].value.messages[0].id')) FROM webhookInbox")
sent=$(printf "%s\n" "$webhooks" | cut -f4); refused=$(printf "%s\n" "$webhooks" | cut -f5)
base_rps=$(printf "%s\n" "$baseline" | cut -f2)
printf "%s\n%s\n" "$baseline" "$webhooks" | awk -F'\t' -v base="$base_rps" '
  BEGIN { printf "| run ('"$preset"' store, %s connections, loopback) | req/s | × baseline | p99 | requests | non-2xx |\n|---|---:|---:|---:|---:|---:|\n", "'"$connections"'" }
  { printf "| %s | %.0f | %.2f | %s | %s | %s |\n", $1, $2, $2 / base, $3, $4, $5 }'
echo
echo "webhook POSTs answered 2xx: $(( sent - refused )); rows in the inbox: $received (more when wrk stopped waiting for"
echo "answers at its deadline); still pending after SIGTERM: $pending; distinct message ids posted: $distinct_sent; stored: $messages, of them routed to a batch: $routed"
if [ "$received" -lt $(( sent - refused )) ] || [ "$pending" -ne 0 ] || [ "$messages" -ne "$distinct_sent" ]; then
  echo "LOST REQUESTS" >&2; exit 1
fi
echo "no request lost"
