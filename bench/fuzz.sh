#!/usr/bin/env bash
# The fuzzing section of BENCHMARKS.md: every cargo-fuzz target for a fixed time through
# fuzz/run.sh (its own build: nightly or RUSTC_BOOTSTRAP, AddressSanitizer), its table as Markdown,
# and the crash artifacts left in fuzz/artifacts (found now or earlier and not yet fixed).
#   bash bench/fuzz.sh [seconds-per-target]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
status=0
table=$(bash fuzz/run.sh "$SECS") || status=$?
open=$(find fuzz/artifacts -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) 2>/dev/null | wc -l)
echo "## Fuzzing"
echo
echo "\`bash fuzz/run.sh $SECS\`: each cargo-fuzz target alone for $SECS s, seeded from tests/fixtures, with its dictionary; debug assertions and AddressSanitizer on (so executions are far fewer than a release build would make); a crash, a hang over the time limit or an OOM is an artifact in fuzz/artifacts. Targets: \`workflow_convert\` (UI workflow parse + convert), \`object_info\` (catalog parse), \`validate\` (prompt validation), \`ws_frame\` (WebSocket text and binary frames), \`media\` (workflows in PNG/WebP/FLAC/Ogg/MP3)."
echo
echo "| target | executions | exec/s | new artifacts |"
echo "| --- | ---: | ---: | ---: |"
echo "$table" | awk 'NR > 1 && NF == 4 { printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
echo
echo "Crash, timeout and OOM artifacts in fuzz/artifacts after the run: $open (fuzz/run.sh exit status $status)."
