#!/usr/bin/env bash
# Every check and every test, as CI runs them. Run scripts/setup.sh once first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

echo "== format"
cargo fmt --all --check

echo "== lint"
cargo clippy --workspace --all-targets -- -D warnings

echo "== core builds for wasm32-unknown-unknown (no I/O, no binding dependencies)"
cargo check -p comfywire --target wasm32-unknown-unknown
cargo check -p comfywire --target wasm32-unknown-unknown --no-default-features

echo "== the wasm binding builds and lints for wasm32"
cargo clippy -p comfywire-wasm --target wasm32-unknown-unknown -- -D warnings

echo "== tests"
mkdir -p target
cargo test --workspace 2>&1 | tee target/test.log
# One closing line for the whole run (cargo's last line is often an empty doc-test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1); if ($i ~ /^ignored;?$/) s += $(i-1) } }
     END { printf "rust: %d passed, %d failed, %d skipped\n", p, f, s }' target/test.log

echo "== wasm build (browser profile) and the wasm-in-Node tests"
cargo build -p comfywire-emulator
cargo build -p comfywire-wasm --target wasm32-unknown-unknown --profile wasm-release
WASM=target/wasm32-unknown-unknown/wasm-release/comfywire_wasm.wasm
wasm-bindgen --target nodejs --out-dir target/wasm-pkg-node "$WASM"
wasm-bindgen --target web --remove-name-section --out-dir target/wasm-pkg-web "$WASM"
raw=$(wc -c < target/wasm-pkg-web/comfywire_wasm_bg.wasm)
gz=$(gzip -9c target/wasm-pkg-web/comfywire_wasm_bg.wasm | wc -c)
echo "wasm module (web): $raw bytes, $gz bytes gzip -9"
NODE_FLAGS=()
if ! node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)'; then
  NODE_FLAGS=(--experimental-websocket)   # Node 20
fi
WASM_PKG="$PWD/target/wasm-pkg-node" EMULATOR="$PWD/target/debug/comfywire-emulator" \
  node "${NODE_FLAGS[@]}" --import ./tests/js/node20-websocket-polyfill.mjs --test tests/js/ 2>&1 | tee target/js-test.log
js_pass=$(awk '/^# pass/ {print $3}' target/js-test.log); js_fail=$(awk '/^# fail/ {print $3}' target/js-test.log)
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1); if ($i ~ /^ignored;?$/) s += $(i-1) } }
     END { printf "rust: %d passed, %d failed, %d skipped\n", p, f, s }' target/test.log
echo "js (wasm-in-Node): ${js_pass:-0} passed, ${js_fail:-0} failed"
[ "${js_fail:-1}" = 0 ]
