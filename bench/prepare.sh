#!/usr/bin/env bash
# Builds what the benchmarks measure, without writing into node/ (another build may use it):
#   target/release/comfywire-emulator, target/release/comfywire (CLI),
#   target/release/libcomfywire_node.so (release napi addon),
#   the conversion benchmark's binary (cargo bench --no-run … convert_corpus),
#   bench/.build/node: a copy of node/ (lib, types, binding loader, package.json) with that
#     release addon as comfywire.linux-x64-gnu.node and a wasm build made here (wasm-release
#     profile, wasm-bindgen --target web: one .wasm for browsers and Node, as scripts/build-js.sh),
#   bench/.build/npm/linux-x64-gnu: node/npm/linux-x64-gnu's manifest with the release addon,
#   bench/node_modules: the pinned peers (npm ci).
# The benchmarks then load comfywire from COMFYWIRE_NODE_DIR=bench/.build/node.
#   bash bench/prepare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=bench/.build
mkdir -p "$BUILD"
# What the builds below are made from (read by run-all.sh): the commit and any uncommitted source.
{
  echo "commit=$(git rev-parse --short HEAD)"
  echo "commit_date=$(git log -1 --format=%cs)"
  echo "dirty=$(git status --short -- core client node wasm cli tests/emulator Cargo.toml Cargo.lock | grep -v '^??' | awk '{print $2}' | paste -sd, - || true)"
  echo "built_at='$(date -u '+%H:%M UTC')'"
} > "$BUILD/source.env"

echo "prepare: cargo build --release -p comfywire-emulator -p comfywire-node -p comfywire-cli" >&2
cargo build -q --release -p comfywire-emulator -p comfywire-node -p comfywire-cli

echo "prepare: cargo bench --no-run -p comfywire-tests --bench convert_corpus" >&2
cargo bench -q --no-run -p comfywire-tests --bench convert_corpus 2>/dev/null

echo "prepare: wasm (wasm-release profile) + wasm-bindgen" >&2
cargo build -q -p comfywire-wasm --target wasm32-unknown-unknown --profile wasm-release
WASM=target/wasm32-unknown-unknown/wasm-release/comfywire_wasm.wasm

rm -rf "$BUILD/node" "$BUILD/npm"
mkdir -p "$BUILD/node" "$BUILD/npm"
cp -r node/lib node/types node/package.json "$BUILD/node/"
[ -f node/README.md ] && cp node/README.md "$BUILD/node/"
# The loader napi generates (scripts/build-js.sh writes it; it is not in git).
if [ ! -f node/binding.cjs ]; then
  echo "prepare: node/binding.cjs is missing: run bash scripts/build-js.sh --release once" >&2
  exit 1
fi
cp node/binding.cjs node/binding.d.cts "$BUILD/node/"
cp target/release/libcomfywire_node.so "$BUILD/node/comfywire.linux-x64-gnu.node"
wasm-bindgen --target web --remove-name-section --out-dir "$BUILD/node/wasm/web" "$WASM"
rm -f "$BUILD"/node/wasm/*/.gitignore

cp -r node/npm/linux-x64-gnu "$BUILD/npm/"
rm -f "$BUILD"/npm/linux-x64-gnu/*.node
cp target/release/libcomfywire_node.so "$BUILD/npm/linux-x64-gnu/comfywire.linux-x64-gnu.node"

if [ ! -d bench/node_modules/@saintno/comfyui-sdk ] || [ ! -d bench/node_modules/@stable-canvas/comfyui-client ]; then
  echo "prepare: npm ci (bench/)" >&2
  (cd bench && npm ci --no-audit --no-fund >&2)
fi
echo "prepare: done ($(git rev-parse --short HEAD))" >&2
