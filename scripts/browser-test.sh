#!/usr/bin/env bash
# End-to-end tests of the pages in a real browser: Debian's Chromium through chromium-driver, driven by Python
# selenium (Debian's python3-selenium). Installs what is missing (as root), builds kelas, starts `kelas serve` on a
# store holding the example batch on its day 2, and plays a trainer's morning: sign in with their link, mark a call
# and undo it, upload the chat export, switch language, try an admin page; then an admin schedules a batch with a bad
# participant row, sees it beside the field, and fixes it.
#   bash scripts/browser-test.sh                 # the test
#   bash scripts/browser-test.sh --screenshots   # and photograph the pages at phone width into docs/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh chromium chromium-driver python3-selenium

swift build --product kelas >/dev/null
kelas="$(swift build --show-bin-path)/kelas"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Tuesday 6 July 2021, 10:00 WIB: day 2 of the example batch; the first discussion is open, some are silent.
export KELAS_NOW="2021-07-06T10:00:00+07:00"
export KELAS_LANG=en
export KELAS_ADMIN_TOKEN="browser-test-admin-token"
database="$work/kelas.sqlite"
"$kelas" init "$work/ws" >/dev/null
"$kelas" batch add "$work/ws/batch.yaml" --database "$database" >/dev/null
"$kelas" simulate --seed 7 --export-chat "$work/week.txt" >/dev/null 2>&1

port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
link="$("$kelas" access add trainer +6281234567001 --url "http://127.0.0.1:$port" --database "$database" | tail -1)"
KELAS_WORKSPACE="$work/batches" "$kelas" serve --no-dispatch --port "$port" --database "$database" 2>"$work/serve.log" &
server_pid=$!
# Wait for the server to say it listens (it prints its address once bound); give up if it exits.
for _ in $(seq 1 600); do
  grep -q "kelas serve: http" "$work/serve.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "kelas serve: http" "$work/serve.log" || { echo "browser-test: kelas serve did not start" >&2; cat "$work/serve.log" >&2; exit 1; }

# A participants file as a spreadsheet saves it, and the same with row 14 broken (a phone with letters).
cp "$work/ws/participants.csv" "$work/peserta.csv"
awk 'NR == 14 { print "Rahmat Hidayat,0812-ABC-7199,Gresik,,"; next } { print }' "$work/peserta.csv" > "$work/peserta-salah.csv"

/usr/bin/python3 scripts/browser/trainer_day.py --base "http://127.0.0.1:$port" --link "$link" --export "$work/week.txt" \
  --admin-token "$KELAS_ADMIN_TOKEN" --participants "$work/peserta.csv" --bad-participants "$work/peserta-salah.csv" "$@"
