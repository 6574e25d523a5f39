#!/usr/bin/env bash
# Starts `kelas serve` on a store holding the simulated seed programme (77 batches), fetches the dashboard's pages
# with the admin token, and photographs them in headless Chromium (from Debian) at phone and desktop sizes: the
# pages are self-contained (inline CSS and SVG, no script), so the saved HTML renders as the browser got it.
# Usage: bash scripts/serve-screenshot.sh [out-dir]     (default docs/; installs chromium and curl if missing, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=${1:-docs}
mkdir -p "$out"
for tool in chromium curl; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
    else echo "install $tool first: sudo apt-get install -y $tool" >&2; exit 1; fi
  fi
done
swift build --product kelas >/dev/null
kelas="$PWD/.build/debug/kelas"
work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$kelas" simulate --preset programme --seed 1 --database "$work/kelas.sqlite" >/dev/null
# The example batch too, with a week of simulated replies: a grid with every state.
"$kelas" simulate --seed 7 --database "$work/kelas.sqlite" >/dev/null 2>&1 || true
export KELAS_ADMIN_TOKEN=screenshot-token
"$kelas" serve --no-dispatch --port 0 --database "$work/kelas.sqlite" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q "SIGTERM or Ctrl-C stops" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)

shoot() { # name path width height
  curl -sf -H "Authorization: Bearer $KELAS_ADMIN_TOKEN" "$base$2" >"$work/$1.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$3,$4" \
    --screenshot="$PWD/$out/$1.png" "file://$work/$1.html" 2>/dev/null
}
shoot dashboard-desktop "/?sort=completed" 1200 1600
shoot dashboard-phone "/" 412 1400
shoot dashboard-batch-phone "/batches/gresik-2021-07" 412 1600
shoot dashboard-report-desktop "/report" 1200 1400
ls -l "$out"/dashboard-*.png
