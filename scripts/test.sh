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

echo "== tests"
mkdir -p target
cargo test --workspace 2>&1 | tee target/test.log
# One closing line for the whole run (cargo's last line is often an empty doc-test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1); if ($i ~ /^ignored;?$/) s += $(i-1) } }
     END { printf "rust: %d passed, %d failed, %d skipped\n", p, f, s }' target/test.log
