#!/usr/bin/env bash
# Where the bytes of the browser build go (issue 12): twiggy over the wasm module as rustc wrote
# it (before wasm-bindgen strips the names), grouped by crate, plus the 15 largest items.
#
#   cargo install twiggy --locked     # once
#   bash scripts/build-js.sh          # builds target/wasm32-unknown-unknown/wasm-release/comfywire_wasm.wasm
#   bash bench/wasm-bytes.sh          # prints two Markdown tables
#
# Sizes are of the uncompressed module's code and data items; the shipped file is smaller by the
# name section wasm-bindgen removes, and gzip shrinks each item unevenly, so read them as shares.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM=target/wasm32-unknown-unknown/wasm-release/comfywire_wasm.wasm
[[ -f "$WASM" ]] || { echo "no $WASM: run bash scripts/build-js.sh first" >&2; exit 1; }
command -v twiggy > /dev/null || { echo "no twiggy: cargo install twiggy --locked" >&2; exit 1; }
twiggy top -n 1000000 --format csv "$WASM" | python3 -c '
import csv, re, sys, collections
rows = list(csv.DictReader(sys.stdin))
# The name section and wasm-bindgen'"'"'s own custom section are removed from the shipped file.
stripped = [r for r in rows if r["Name"].startswith(("\"function names\"", "custom section"))]
rows = [r for r in rows if r not in stripped]
total = sum(int(r["ShallowSize"]) for r in rows)
def crate(name):
    name = name.lstrip("<&*( ")
    for prefix in ("data segment", "data[", "elem[", "table[", "type[", "import ", "export ", "global[", "memory[", "code["):
        if name.startswith(prefix):
            return prefix.strip("[ ") + " (non-code)" if prefix != "code[" else "(unnamed code)"
    m = re.match(r"(?:const |mut |dyn )*([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    return m.group(1) if m else name.split(">")[0].split("::")[0]
by = collections.Counter()
for r in rows:
    by[crate(r["Name"])] += int(r["ShallowSize"])
removed = sum(int(r["ShallowSize"]) for r in stripped)
print(f"module: {total} bytes in {len(rows)} items, after the {removed} bytes of names and bindgen metadata that the shipped file drops\n")
print("| crate | bytes | share |\n|---|---:|---:|")
for name, size in by.most_common(20):
    print(f"| `{name}` | {size} | {100*size/total:.1f} % |")
print("\n| largest items | bytes | share |\n|---|---:|---:|")
for r in sorted(rows, key=lambda r: -int(r["ShallowSize"]))[:15]:
    n = r["Name"].replace("|", "\\|")
    n = n if len(n) < 110 else n[:107] + "…"
    size = int(r["ShallowSize"])
    print(f"| `{n}` | {size} | {100*size/total:.1f} % |")
'
