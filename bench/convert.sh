#!/usr/bin/env bash
# Conversion benchmark, one run: the golden corpus through comfywire (native; napi and wasm-node
# when built) and through comfy-cli's converter (PyPI, pinned, in a venv made here), with how many
# of each side's prompts equal the editor's own. Prints a Markdown table.
#   bash bench/convert.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-10}
COMFY_CLI_VERSION=1.23.0
VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/pip" show comfy-cli 2>/dev/null | grep -q "^Version: $COMFY_CLI_VERSION$"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "comfy-cli==$COMFY_CLI_VERSION" >&2
fi

native=$(cargo bench -q -p comfywire-tests --bench convert_corpus -- --rounds "$ROUNDS" --json 2>/dev/null | tail -1)
peer=$("$VENV/bin/python" bench/convert/comfycli_convert.py tests/fixtures --rounds "$ROUNDS" --warmup 1)
js='[]'
if [ -f bench/convert/bindings.mjs ]; then
  js=$(node bench/convert/bindings.mjs tests/fixtures "$ROUNDS" 2>/dev/null || echo '[]')
fi

NATIVE="$native" PEER="$peer" JS="$js" python3 - <<'PY'
import json, os
native, peer, js = json.loads(os.environ["NATIVE"]), json.loads(os.environ["PEER"]), json.loads(os.environ["JS"])
both = next(r for r in native["results"] if r["name"] == "parse + convert")
n = native["workflows"]
rows = [("comfywire (native Rust)", n, native["exact"], both["median_ms"], both["items_per_s"])]
for r in js:
    rows.append((r["name"], r["converted"], r["exact"], r["median_ms"], r["items_per_s"]))
rows.append((f"comfy-cli {os.environ.get('COMFY_CLI_VERSION', '1.23.0')} (Python)", peer["converted"], peer["exact"], peer["median_ms"], peer["items_per_s"]))
print(f"Corpus: {n} editor workflows (tests/fixtures/goldens), JSON text → API prompt, object_info of ComfyUI 0.3.64; median of {native['rounds']} rounds.\n")
print("| converter | converted | identical to the editor | corpus time (ms) | workflows/s | vs comfy-cli |")
print("|---|---:|---:|---:|---:|---:|")
for name, conv, exact, ms, ips in rows:
    print(f"| {name} | {conv}/{n} | {exact}/{n} | {ms:.1f} | {ips:.0f} | {ips / peer['items_per_s']:.2f}× |")
PY
