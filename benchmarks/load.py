"""Load + validate a generated 5,000-action blueprint; target under 1 s on a 2-core machine.

Run: .venv/bin/python benchmarks/load.py [ACTIONS ...]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import stageline
from generate import blueprint_yaml

TARGET_S = 1.0


def main(sizes: list[int]) -> None:
    print(f"{'actions':>8} {'flows':>7} {'bytes':>10} {'load+validate (best of 5)':>26} {'median':>8} {'target':>7}")
    for size in sizes:
        text = blueprint_yaml(size)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            doc = stageline.read_document(text, file=f"generated-{size}.yaml")
            times.append(time.perf_counter() - start)
        bp = doc.blueprint
        assert bp is not None and not doc.errors, doc.errors[:3]
        best, median = min(times), statistics.median(times)
        verdict = "ok" if size != 5000 or best < TARGET_S else "MISSED"
        print(f"{len(bp.actions):>8} {len(bp.flows):>7} {len(text):>10} {best:>24.3f} s {median:>6.3f} s {verdict:>7}")
    start = time.perf_counter()
    stageline.dumps(bp)
    print(f"dumps (YAML) of the last blueprint: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000, 20000])
