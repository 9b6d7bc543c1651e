"""Times comfy-cli's UI→API converter (`comfy_cli.workflow_to_api.convert_ui_to_api`) over the
same corpus comfywire is timed on, and counts how many of its prompts equal the editor's own.

Usage: python comfycli_convert.py <fixtures dir> [--rounds N] [--warmup W]  → one JSON line.
"""

import json
import logging
import statistics
import sys
import time
from pathlib import Path

from comfy_cli import workflow_to_api

logging.disable(logging.CRITICAL)


def main() -> None:
    fixtures = Path(sys.argv[1])
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    warmup = int(sys.argv[sys.argv.index("--warmup") + 1]) if "--warmup" in sys.argv else 1
    manifest = (fixtures / "goldens" / "MANIFEST.tsv").read_text().splitlines()
    stems = sorted(p.name[: -len(".workflow.json")] for p in (fixtures / "goldens").glob("*.workflow.json"))
    texts = [(fixtures / "goldens" / f"{s}.workflow.json").read_text() for s in stems]
    goldens = [json.loads((fixtures / "goldens" / f"{s}.prompt.json").read_text()) for s in stems]
    object_info = json.loads((fixtures / "object_info.json").read_text())

    def one(text):
        try:
            return workflow_to_api.convert_ui_to_api(json.loads(text), object_info)
        except Exception:  # a refusal counts as a failure, not a crash of the benchmark
            return None

    results = [one(t) for t in texts]
    converted = sum(r is not None for r in results)
    exact = sum(r is not None and r == g for r, g in zip(results, goldens))

    for _ in range(warmup):
        for t in texts:
            one(t)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            one(t)
        times.append((time.perf_counter() - start) * 1000)
    per_item = []
    for t in texts:
        start = time.perf_counter()
        one(t)
        per_item.append((time.perf_counter() - start) * 1e6)
    median = statistics.median(times)
    print(json.dumps({
        "workflows": len(texts),
        "python": sys.version.split()[0],
        "manifest_rows": max(len(manifest) - 1, 0),
        "converted": converted,
        "exact": exact,
        "rounds": rounds,
        "median_ms": median,
        "items_per_s": len(texts) / (median / 1000),
        "per_item_median_us": statistics.median(per_item),
    }))


if __name__ == "__main__":
    main()
