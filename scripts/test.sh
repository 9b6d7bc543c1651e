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

echo "== the npm package: Node addon (napi) and WebAssembly builds"
cargo build -p comfywire-emulator
bash scripts/build-js.sh
raw=$(wc -c < node/wasm/web/comfywire_wasm_bg.wasm)
gz=$(gzip -9c node/wasm/web/comfywire_wasm_bg.wasm | wc -c)
glue=$(gzip -9c node/wasm/web/comfywire_wasm.js node/lib/api.js node/lib/codes.js node/lib/json.js node/lib/browser.js | wc -c)
echo "wasm module (web): $raw bytes, $gz bytes gzip -9; JS glue + API: $glue bytes gzip -9"

echo "== generated types match the committed ones (napi -> binding.d.cts; JSDoc + node/shapes.d.ts -> types/*.d.ts)"
node_modules/.bin/tsc -p node/tsconfig.json
git diff --exit-code --stat -- node/binding.d.cts node/types \
  || { echo "type drift: commit the regenerated node/binding.d.cts and node/types" >&2; exit 1; }
untracked=$(git ls-files --others --exclude-standard -- node/types)
[ -z "$untracked" ] || { echo "type drift: new files $untracked" >&2; exit 1; }

echo "== type tests: what a TypeScript user may and may not write (tsc --strict)"
node_modules/.bin/tsc -p tests/types

echo "== the API reference builds from the types, warnings as errors (TypeDoc → target/api-reference)"
npm run --silent docs

echo "== the package lints clean (publint)"
node_modules/.bin/publint node --strict

echo "== npm tarballs (what npm publish would upload)"
cargo build -q -p comfywire-cli
bash scripts/stage-npm.sh
for dir in node node/npm/linux-x64-gnu; do
  (cd "$dir" && npm pack --dry-run --json 2>/dev/null) \
    | node -e 'const [p] = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${p.name}: ${p.entryCount} files, ${p.size} bytes packed, ${p.unpackedSize} unpacked`)'
done

echo "== the JavaScript behaviour suite in three targets, the package, examples"
rm -f target/js-*.log
export EMULATOR="$PWD/target/debug/comfywire-emulator" COMFYWIRE_EMULATOR="$PWD/target/debug/comfywire-emulator"
js_status=0
run_js() { # name, then the command; keeps going so every target reports
  local name=$1; shift
  echo "-- $name"
  if "$@" > "target/js-$name.log" 2>&1; then :; else js_status=1; fi
  grep -E '^(not ok|# (tests|pass|fail|skipped))' "target/js-$name.log" | sed "s/^/$name: /"
  grep -q '^not ok' "target/js-$name.log" && { js_status=1; grep -A12 '^not ok' "target/js-$name.log" | head -60; }
  return 0
}
run_js napi env TARGET=napi node --test --test-timeout=120000 tests/js/behaviour.test.mjs
# Plain `node`, no flags: on Node 20 this proves the package's own WebSocket for the wasm build.
run_js wasm-node env TARGET=wasm-node node --test --test-timeout=120000 tests/js/behaviour.test.mjs
run_js wasm-browser node tests/js/browser/run.mjs tests/js/behaviour.test.mjs
run_js binding node --test --test-timeout=120000 tests/js/binding.test.mjs
run_js package node --test --test-timeout=120000 tests/js/package.test.mjs
run_js examples node --test --test-timeout=120000 tests/js/examples.test.mjs
run_js harness node --test --test-timeout=120000 tests/js/harness/selftest.test.mjs
# The real-server conformance checks, on the emulator (COMFYUI_URL=… scripts/test-real-server.sh
# runs them on a real ComfyUI; CI has none).
run_js conformance node --test --test-timeout=300000 tests/js/conformance.test.mjs
# A hostile server (test-only, 127.0.0.1) against the addon (and the CLI) and wasm in Node.
run_js hostile-napi env TARGET=napi node --test --test-timeout=300000 tests/js/hostile.test.mjs
run_js hostile-wasm env TARGET=wasm-node node --test --test-timeout=300000 tests/js/hostile.test.mjs
if [ -f tests/js/browser-example.test.mjs ]; then
  run_js browser-example node --test --test-timeout=300000 tests/js/browser-example.test.mjs
fi

awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1); if ($i ~ /^ignored;?$/) s += $(i-1) } }
     END { printf "rust: %d passed, %d failed, %d skipped\n", p, f, s }' target/test.log
cat target/js-*.log | awk '/^# pass/ { p += $3 } /^# fail/ { f += $3 } END { printf "js: %d passed, %d failed\n", p, f }'
exit $js_status
