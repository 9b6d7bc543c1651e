#!/usr/bin/env bash
# Builds what the npm package `comfywire` (node/) ships: the Node addon (napi CLI: the .node
# file, its loader binding.cjs and the generated binding.d.cts) and the WebAssembly build
# (node/wasm/web: browsers and workers, and Node's fallback, which compiles the same file).
#   bash scripts/build-js.sh            # debug addon (fast to build; what the tests use)
#   bash scripts/build-js.sh --release  # release addon (what benchmarks and the package use)
set -euo pipefail
cd "$(dirname "$0")/.."

RELEASE=()
[ "${1:-}" = "--release" ] && RELEASE=(--release)

(cd node && npx napi build --platform "${RELEASE[@]}" --js binding.cjs --dts binding.d.cts >/dev/null)

cargo build -q -p comfywire-wasm --target wasm32-unknown-unknown --profile wasm-release
WASM=target/wasm32-unknown-unknown/wasm-release/comfywire_wasm.wasm
rm -rf node/wasm
wasm-bindgen --target web --remove-name-section --out-dir node/wasm/web "$WASM"
rm -f node/wasm/*/.gitignore
# ComfyUI 0.3.64's catalog as a file: the addon embeds it, the wasm build (kept small for
# browsers) does not, so Node's wasm fallback reads this one when no catalog is given.
cp core/catalog/object_info.json node/wasm/catalog-0.3.64.json
