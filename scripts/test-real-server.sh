#!/usr/bin/env bash
# Conformance checks against your own ComfyUI: model-free jobs through the CLI, the Node addon
# and the WebAssembly build in Node (run, cached rerun, execution error, interrupt, upload and
# use, a 2^64-1 seed, partial acceptance, two same-name outputs). One OK/FAIL line per check.
#
#   COMFYUI_URL=http://127.0.0.1:8188 bash scripts/test-real-server.sh
#
# Without COMFYUI_URL it says so and exits 0 (CI has no real server). It builds what is missing
# (the CLI; the JS bindings through scripts/build-js.sh) and leaves files under the server's
# output/cw-conformance, output/cwA, output/cwB and input/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${COMFYUI_URL:-}" ]]; then
  echo "test-real-server: skipped (set COMFYUI_URL=http://host:port to run it against a server)"
  exit 0
fi
cargo build -q -p comfywire-cli
if [[ ! -e node/wasm/web/comfywire_wasm_bg.wasm ]] || ! ls node/*.node > /dev/null 2>&1; then
  bash scripts/build-js.sh
fi
version=$(curl -fsS "${COMFYUI_URL%/}/system_stats" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).system.comfyui_version)}catch{console.log("unknown")}})' || echo unreachable)
echo "== ${COMFYUI_URL} (ComfyUI ${version}), $(date -u +%Y-%m-%dT%H:%MZ)"
status=0
for front in cli napi wasm; do
  node tests/real-server/checks.mjs "$front" || status=1
done
exit "$status"
