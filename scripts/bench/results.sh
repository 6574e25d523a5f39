#!/usr/bin/env bash
# Benchmark: `kelas results` and `kelas report programme` beside `kelas report` (the completion report, the baseline:
# the same replay of every batch) on the same store, in the same run: the simulated seed programme (77 batches,
# 2,029 participants) and one group of 100,000. Every participant answers the pre- and post-test by WhatsApp
# (synthetic Cloud API payloads in the forms people write: numbered lines, token sequences, keywords), ingested
# before timing. Wall time and peak memory from GNU time, best of 3.
# Usage: bash scripts/bench/results.sh [participants of the big group, default 100000; 0 to skip it]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/release.sh
big=${1:-100000}
work=$(mktemp -d /tmp/kelas-results-bench-XXXXXX)
export KELAS_NOW=2030-01-01T00:00:00+07:00

replies() { # store → JSON lines: a pre- and a post-test reply from every participant, at each survey's opening + 30 min
  python3 - "$1" <<'PY'
import json, random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
random.seed(7)
surveys = {}
for batch, survey, opens in db.execute("SELECT batchID, survey, opensAt FROM prompt WHERE survey IS NOT NULL"):
    surveys.setdefault(batch, []).append((survey, opens))
words = [["S", "setuju", "agree", "1"], ["R", "ragu", "ragu-ragu", "2"], ["TS", "tidak setuju", "disagree", "3"]]
n = 0
for batch, phone in db.execute("SELECT batchID, phone FROM person WHERE role = 'participant'"):
    for survey, opens in surveys.get(batch, []):
        answers = [random.choice([0, 0, 1, 2]) for _ in range(12)]
        form = random.randrange(3)
        if form == 0: text = "\n".join(f"{i + 1}. {words[a][1]}" for i, a in enumerate(answers))
        elif form == 1: text = " ".join(words[a][0] for a in answers)
        else: text = ", ".join(words[a][2] for a in answers)
        n += 1
        message = {"from": phone.lstrip("+"), "id": f"wamid.bench{n}", "timestamp": str(int(opens) + 1800), "type": "text", "text": {"body": text}}
        print(json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"messages": [message]}}]}]}))
PY
}

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

"$kelas" simulate --preset programme --seed 1 --database "$work/programme.sqlite" >/dev/null 2>&1
replies "$work/programme.sqlite" > "$work/programme.jsonl"
"$kelas" ingest webhook "$work/programme.jsonl" --database "$work/programme.sqlite" >/dev/null
echo "programme: 77 batches, 2,029 participants, $(wc -l < "$work/programme.jsonl") survey replies"
{
  measure "kelas report (baseline)" "$kelas" report --database "$work/programme.sqlite"
  measure "kelas results" "$kelas" results --database "$work/programme.sqlite"
  measure "kelas results --by district --format csv" "$kelas" results --by district --format csv --database "$work/programme.sqlite"
  measure "kelas report programme" "$kelas" report programme --database "$work/programme.sqlite"
} | table

if [ "$big" -gt 0 ]; then
  "$kelas" simulate --seed 1 --participants "$big" --database "$work/big.sqlite" >/dev/null 2>&1
  replies "$work/big.sqlite" > "$work/big.jsonl"
  "$kelas" ingest webhook "$work/big.jsonl" --database "$work/big.sqlite" >/dev/null
  echo; echo "one group of $big participants, $(wc -l < "$work/big.jsonl") survey replies"
  {
    measure "kelas report (baseline)" "$kelas" report --database "$work/big.sqlite"
    measure "kelas results" "$kelas" results --database "$work/big.sqlite"
    measure "kelas report programme" "$kelas" report programme --database "$work/big.sqlite"
  } | table
fi
rm -rf "$work"
