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
