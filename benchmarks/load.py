"""Load + validate generated blueprints (target: 5,000 actions in under 1 s), then write them.

Run: .venv/bin/python benchmarks/load.py [ACTIONS ...]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import stageline
from generate import blueprint_yaml

TARGET_S = 1.0


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main(sizes: list[int]) -> None:
    print(
        f"{'actions':>8} {'flows':>7} {'bytes':>9} {'load+validate':>14} {'median':>8} {'target':>7} {'dumps (merge)':>14} {'dumps (fresh)':>14} {'json':>7}"
    )
    for size in sizes:
        text = blueprint_yaml(size)
        doc = stageline.read_document(text, file=f"generated-{size}.yaml")
        bp = doc.blueprint
        assert bp is not None and not doc.errors, doc.errors[:3]
        best, median = best_of(5, lambda t=text: stageline.read_document(t))
        merge, _ = best_of(1, lambda b=bp: stageline.dumps(b))
        fresh, _ = best_of(1, lambda b=bp: stageline.dumps(replace(b, source=None)))
        as_json, _ = best_of(3, lambda b=bp: stageline.dumps(b, format="json"))
        verdict = ("ok" if best < TARGET_S else "MISSED") if size == 5000 else ""
        print(
            f"{len(bp.actions):>8} {len(bp.flows):>7} {len(text):>9} {best:>12.3f} s {median:>6.3f} s {verdict:>7}"
            f" {merge:>12.2f} s {fresh:>12.2f} s {as_json:>5.2f} s"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000, 20000])
