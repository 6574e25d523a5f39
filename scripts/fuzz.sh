#!/usr/bin/env bash
# Builds the libFuzzer targets (Swift's -sanitize=fuzzer, with AddressSanitizer) and runs each for a bounded time
# from the seed corpus in Fuzz/corpus/. Usage: scripts/fuzz.sh [SECONDS per target, default 60] [TARGET…]
# A crash or hang leaves its input in .build-fuzz/findings/TARGET/ and stops with exit 1; findings get a regression
# test (Tests/KelasCoreTests/FuzzRegressionTests.swift) and their input in Fuzz/regressions/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzChatExport FuzzFiles FuzzCloudPayload FuzzKelasEvents)
declare -A corpus=([FuzzChatExport]=chat-export [FuzzFiles]=files [FuzzCloudPayload]=cloud-payload [FuzzKelasEvents]=kelas-events)

for target in "${targets[@]}"; do
  KELAS_FUZZ=1 swift build --scratch-path .build-fuzz -c debug \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product "$target" >&2
done
bin=$(KELAS_FUZZ=1 swift build --scratch-path .build-fuzz -c debug --show-bin-path)

status=0
for target in "${targets[@]}"; do
  work=.build-fuzz/corpus/$target findings=.build-fuzz/findings/$target
  mkdir -p "$work" "$findings"
  echo "fuzz: $target for ${seconds}s (seeds: Fuzz/corpus/${corpus[$target]})" >&2
  # -timeout: an input taking over 10 s is a hang; -rss_limit_mb: one over 2 GiB is a memory blow-up.
  if "$bin/$target" "$work" "Fuzz/corpus/${corpus[$target]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 2> ".build-fuzz/$target.log"; then
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' ".build-fuzz/$target.log" | grep -oE '[0-9]+$' || echo "?")
    echo "fuzz: $target: $runs executions, no crash" >&2
  else
    echo "fuzz: $target FOUND A PROBLEM: see .build-fuzz/$target.log and $findings/" >&2
    tail -30 ".build-fuzz/$target.log" >&2
    status=1
  fi
done
exit $status
