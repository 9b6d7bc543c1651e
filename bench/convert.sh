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

NATIVE="$native" PEER="$peer" JS="$js" COMFY_CLI_VERSION="$COMFY_CLI_VERSION" python3 - <<'PY'
import json, os
native, peer, js = json.loads(os.environ["NATIVE"]), json.loads(os.environ["PEER"]), json.loads(os.environ["JS"])
version = os.environ["COMFY_CLI_VERSION"]
both = next(r for r in native["results"] if r["name"] == "parse + convert")
n = native["workflows"]
rows = [("comfywire native Rust (`cargo bench … convert_corpus`, parse + convert)", n, native["exact"], both["median_ms"], both["items_per_s"])]
for r in js:
    if r.get("unavailable"):
        rows.append((f"{r['name']}: unavailable ({r['unavailable'][:80]})", None, None, None, None))
    else:
        rows.append((r["name"], r["converted"], r["exact"], r["median_ms"], r["items_per_s"]))
rows.append((f"comfy-cli {version} (Python {peer.get('python', '')}, `workflow_to_api.convert_ui_to_api`)", peer["converted"], peer["exact"], peer["median_ms"], peer["items_per_s"]))
print("## Conversion\n")
print(f"Corpus: {n} editor workflows (tests/fixtures/goldens), JSON text → API prompt, every side against tests/fixtures/object_info.json (ComfyUI 0.3.64); "
      f"median of {native['rounds']} rounds over the whole corpus, one process per side. \"identical to the editor\": the output equals the editor's own prompt "
      "(the golden), compared as parsed JSON (key order ignored, 1 = 1.0, integers exact). The native row times parse + convert to the prompt value; "
      "the napi/wasm rows time `convertJson(text, {catalog})`, which also writes the prompt's JSON text; comfy-cli's row times `json.loads` + `convert_ui_to_api` to a dict.\n")
print("| converter | converted | identical to the editor | corpus ms | workflows/s | speed vs comfy-cli |")
print("|---|---:|---:|---:|---:|---:|")
for name, conv, exact, ms, ips in rows:
    if conv is None:
        print(f"| {name} | | | | | |")
        continue
    print(f"| {name} | {conv}/{n} | {exact}/{n} | {ms:.1f} | {ips:.0f} | {ips / peer['items_per_s']:.2f}× |")
out = os.path.join("bench", "results", "convert.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"comfy_cli_version": version, "native": native, "bindings": js, "comfy_cli": peer}, f, indent=2)
PY
