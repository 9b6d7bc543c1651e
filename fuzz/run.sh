#!/usr/bin/env bash
# Runs every fuzz target for a fixed time and prints a table (executions, crashes).
#   bash fuzz/run.sh [seconds-per-target]      (needs the nightly toolchain and cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Seeds from the project's fixtures (not committed: rebuilt here).
mkdir -p corpus/{workflow_convert,object_info,validate,ws_frame,media}
cp ../tests/fixtures/goldens/*.workflow.json corpus/workflow_convert/ 2>/dev/null || true
cp ../tests/fixtures/media/*.png corpus/workflow_convert/ corpus/media/ 2>/dev/null || true
python3 - <<'PY'
import json, glob, os, hashlib
caps = sorted(glob.glob('../tests/fixtures/captures/*.json'))
def put(target, data):
    name = hashlib.sha1(data).hexdigest()[:16]
    open(f'corpus/{target}/{name}', 'wb').write(data)
for f in caps:
    d = json.load(open(f))
    req = d.get('request') if isinstance(d, dict) else None
    if isinstance(req, dict) and req.get('path', '').endswith('/prompt') and 'body' in req:
        put('validate', json.dumps(req['body']).encode())
    for frame in (d.get('frames') or d.get('messages') or []) if isinstance(d, dict) else []:
        if isinstance(frame, dict) and 'data' in frame:
            put('ws_frame', json.dumps(frame).encode())
info = json.load(open('../tests/fixtures/object_info.json'))
for i, (k, v) in enumerate(info.items()):
    if i % 25 == 0:
        put('object_info', json.dumps({k: v}).encode())
PY
printf '%-18s %12s %10s %8s\n' target executions exec/s crashes
for t in workflow_convert object_info validate ws_frame media; do
  log=$(mktemp)
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 > "$log" 2>&1 || true
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(ls artifacts/"$t" 2>/dev/null | grep -c '^crash-\|^oom-\|^timeout-' || true)
  printf '%-18s %12s %10s %8s\n' "$t" "${execs:-?}" "${speed:-?}" "${crashes:-0}"
done
