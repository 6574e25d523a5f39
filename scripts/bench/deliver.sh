#!/usr/bin/env bash
# Benchmark: deliveries per second through the webhook sink (libcurl multi) at 1, 8 and 64 transfers in flight,
# beside two baselines measured in the same run, and kelas's peak memory:
#   - wrk: the ceiling of the same local sink (~1 KB JSON POSTs, 5 s);
#   - libcurl alone (curl-floor.c, C): as many POSTs as kelas makes, with the same body size and headers, at the same
#     number in flight, handles set up once: the floor of any libcurl sender on this machine (no signing, no store).
#
# The sink is nginx (Debian's nginx-light) on 127.0.0.1 answering 204 to every POST. kelas delivers the 07:30 message
# of fan-out batches with N participants in all (100 per batch, the largest group; one POST each, ~1 KB signed JSON)
# with `kelas run --once --now …`, so the
# figure includes claiming, signing, sending and recording every attempt in SQLite.
#
# Usage: bash scripts/bench/deliver.sh [PARTICIPANTS=3000]      (installs nginx-light and wrk from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
for tool in nginx wrk; do
  command -v "$tool" >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq "$([ $tool = nginx ] && echo nginx-light || echo wrk)" >/dev/null; }
done
swift build -c release --product kelas >/dev/null
kelas="$PWD/.build/release/kelas"
bench=$PWD/scripts/bench
participants=${1:-3000}
port=18080

work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work;
  server { listen 127.0.0.1:$port; location / { client_body_buffer_size 16k; return 204; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

# The same kind of request kelas sends: a ~1 KB JSON POST.
body=$(python3 -c "print('{\"text\": \"' + 'x' * 1000 + '\"}')")
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA
clang -O2 -o "$work/curl-floor" "$bench/curl-floor.c" -lcurl
curl_alone() { "$work/curl-floor" "http://127.0.0.1:$port/kelas" "$participants" "$1" | awk '{ printf "%.0f", $1 / $2 }'; }
ceiling() { wrk -t"$(( $1 < 2 ? 1 : 2 ))" -c"$1" -d5s -s "$work/post.lua" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ { print $2 }'; }

"$kelas" init "$work/template" >/dev/null
python3 - "$work" "$participants" <<'PY'
import sys, pathlib, shutil
work, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
template = work / "template"
for b in range((n + 99) // 100):
    d = work / f"batch-{b}"
    shutil.copytree(template, d)
    y = d / "batch.yaml"
    y.write_text(y.read_text().replace("mode: group", "mode: fanout").replace("id: gresik-2021-07", f"id: bench-{b}"))
    people = range(b * 100, min(n, b * 100 + 100))
    (d / "participants.csv").write_text("name,phone\n" + "".join(f"Peserta {i},0813-{i // 10000:04d}-{i % 10000:04d}\n" for i in people))
PY

echo "| transfers in flight | wrk ceiling (req/s) | libcurl alone (req/s) | kelas deliveries/s | kelas / wrk | kelas / libcurl | kelas peak memory |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for inflight in 1 8 64; do
  rm -f "$work/kelas.sqlite"*
  for batch in "$work"/batch-*/batch.yaml; do "$kelas" batch add "$batch" --database "$work/kelas.sqlite" >/dev/null; done
  limit=$(ceiling "$inflight")
  alone=$(curl_alone "$inflight")
  export KELAS_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
  /usr/bin/time -f "%e %M" -o "$work/time" "$kelas" run --once --now 2021-07-05T07:30:00+07:00 --rate 1000000 \
    --in-flight "$inflight" --sink "webhook:http://127.0.0.1:$port/kelas" --database "$work/kelas.sqlite" >"$work/out"
  read -r seconds kilobytes <"$work/time"
  sent=$(sed -n 's/.*: \([0-9]*\) sent.*/\1/p' "$work/out")
  awk -v f="$inflight" -v w="$limit" -v c="$alone" -v n="$sent" -v t="$seconds" -v k="$kilobytes" \
    'BEGIN { r = n / t; printf "| %d | %.0f | %.0f | %.0f (%d in %.2f s) | %.2f | %.2f | %.0f MB |\n", f, w, c, r, n, t, r / w, r / c, k / 1024 }'
done
