#!/usr/bin/env bash
# Puts the built binaries into the platform package (node/npm/linux-x64-gnu), as publishing
# would: the Node addon, and the CLI with the bundled emulator beside it (for `npx comfywire`).
#
#   bash scripts/stage-npm.sh            # from target/debug (what the tests use), stripped
#   bash scripts/stage-npm.sh --release  # from target/release (what would be published)
#
# Build first: scripts/build-js.sh [--release] for the addon, and
# cargo build [--release] -p comfywire-cli -p comfywire-emulator for the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=debug
[[ "${1:-}" == "--release" ]] && profile=release
platform=node/npm/linux-x64-gnu
mkdir -p "$platform/bin"
cp node/comfywire.linux-x64-gnu.node "$platform/"
strip --strip-debug "$platform/comfywire.linux-x64-gnu.node" 2> /dev/null || true
for exe in comfywire comfywire-emulator; do
  cp "target/$profile/$exe" "$platform/bin/$exe"
  strip "$platform/bin/$exe" 2> /dev/null || true
done
cp LICENSE "$platform/LICENSE"
