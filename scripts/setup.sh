#!/usr/bin/env bash
# Installs what the build and the tests need on a bare machine of this project's kind
# (Rust via rustup is present). Idempotent: a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# The core must build for the browser target; CI checks it.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

# wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (their formats must match).
WBG=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG" ]; then
  cargo install wasm-bindgen-cli --version "$WBG" --locked \
    || cargo install wasm-bindgen-cli --version "$WBG" --force
fi
command -v node >/dev/null || { echo "setup: Node.js 20+ is required for the JavaScript tests" >&2; exit 1; }

# Headless Chromium for the browser target of the JavaScript suite (tests/js/browser/run.mjs drives
# it through playwright-core; no `npx playwright install`), GNU time for the hostile suite's
# peak-memory bound of the CLI, binutils' strip for the staged npm binaries. Do not install
# Debian's binaryen.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/time ] || ! command -v strip > /dev/null; then
  SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium time binutils
fi

# The JavaScript toolchain and test dependencies, exactly as locked (napi CLI, playwright-core,
# TypeScript for the type-drift check, publint, Vite for the bundling test).
npm ci --no-audit --no-fund --loglevel=error
