#!/usr/bin/env bash
# Fuzzes every target for a fixed time, one after the other, and prints a table.
#
#   bash fuzz/run.sh [seconds-per-target] [target...]     (default: 60 s, every target)
#
# Installs cargo-fuzz from crates.io when missing, rebuilds the seed corpora from tests/fixtures
# (fuzz/corpus/<target>, gitignored; what the fuzzer finds is kept there between runs), builds
# with debug assertions (overflow checks on) and AddressSanitizer, and runs each target alone
# (the machine is shared) with its dictionary (fuzz/dicts/<target>.dict). Crashes, timeouts and
# OOMs land in fuzz/artifacts/<target>/.
# Exit status: 1 when any run left a new artifact, else 0.
#
# Environment: FUZZ_TOOLCHAIN (default: nightly when installed, else stable with
# RUSTC_BOOTSTRAP=1), FUZZ_SANITIZER (address | none; default address), FUZZ_TIMEOUT (seconds
# one input may take before it counts as a hang; default 30: the instrumented build is 20-100x
# slower than a release one, and a workflow near the subgraph expansion budget legitimately
# takes several seconds there), FUZZ_RSS_MB (default 2048).
set -euo pipefail
cd "$(dirname "$0")"

SECS=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(workflow_convert object_info validate ws_frame media)
SANITIZER=${FUZZ_SANITIZER:-address}
TIMEOUT=${FUZZ_TIMEOUT:-30}
RSS_MB=${FUZZ_RSS_MB:-2048}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

# cargo fuzz passes -Z flags (sanitizers, coverage instrumentation): nightly, or stable told
# to accept them.
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
  TOOLCHAIN=$FUZZ_TOOLCHAIN
elif rustup run nightly rustc -V >/dev/null 2>&1; then
  TOOLCHAIN=nightly
else
  TOOLCHAIN=stable
fi
if [ "$TOOLCHAIN" != nightly ]; then
  export RUSTC_BOOTSTRAP=1
fi
echo "toolchain: $(rustup run "$TOOLCHAIN" rustc -V)${RUSTC_BOOTSTRAP:+ (RUSTC_BOOTSTRAP=1)}, sanitizer: $SANITIZER" >&2

python3 scripts/seeds.py corpus >&2

# Built before the clock starts (`cargo fuzz build` takes one target, or none for all).
if [ $# -eq 0 ]; then
  cargo "+$TOOLCHAIN" fuzz build -a -s "$SANITIZER" >&2
else
  for t in "${TARGETS[@]}"; do cargo "+$TOOLCHAIN" fuzz build -a -s "$SANITIZER" "$t" >&2; done
fi

mkdir -p logs
status=0
rows=()
for t in "${TARGETS[@]}"; do
  mkdir -p "artifacts/$t"
  before=$(ls "artifacts/$t" | grep -cE '^(crash|oom|timeout|leak|slow-unit)-' || true)
  log="logs/$t.log"
  echo "fuzzing $t for ${SECS}s (log: fuzz/$log)" >&2
  dict=()
  [ -f "dicts/$t.dict" ] && dict=(-dict="dicts/$t.dict")
  # -print_final_stats gives the totals; the corpus directory receives new finds.
  cargo "+$TOOLCHAIN" fuzz run -a -s "$SANITIZER" "$t" "corpus/$t" -- \
    -max_total_time="$SECS" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" "${dict[@]}" \
    -print_final_stats=1 >"$log" 2>&1 || true
  after=$(ls "artifacts/$t" | grep -cE '^(crash|oom|timeout|leak|slow-unit)-' || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ -z "$execs" ]; then # killed before its stats: the last status line
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  crashes=$((after - before))
  [ "$crashes" -eq 0 ] || status=1
  rows+=("$(printf '%-18s %14s %10s %8s' "$t" "${execs:-?}" "${speed:-?}" "$crashes")")
done

printf '%-18s %14s %10s %8s\n' target executions exec/s crashes
printf '%s\n' "${rows[@]}"
if [ "$status" -ne 0 ]; then
  echo "new artifacts: see fuzz/artifacts/<target>/ and fuzz/README.md (reproduce, minimize)" >&2
fi
exit "$status"
