"""All analysis rules on generated blueprints (target: 5,000 actions in under 1 s).

The blueprints have a flow through every step, a handoff and a line crossing in each, a fail
point and a KPI per step, and a 5% rework loop every ten steps.

Run: .venv/bin/python benchmarks/analysis.py [ACTIONS ...]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import stageline
from generate import blueprint_yaml
from stageline.analysis import analyse

TARGET_S = 1.0
TARGET_ACTIONS = 5000


def main(sizes: list[int]) -> None:
    print(
        f"{'actions':>8} {'flows':>7} {'loops':>6} {'findings':>9} {'analyse (best)':>15} {'median':>8} {'target':>8}"
    )
    for size in sizes:
        doc = stageline.read_document(blueprint_yaml(size, loops=True), file=f"generated-{size}.yaml")
        bp = doc.blueprint
        assert bp is not None and not doc.errors, doc.errors[:3]
        times = []
        report = None
        for _ in range(5):
            start = time.perf_counter()
            report = analyse(bp, source_map=doc.source_map, origins=doc.origins)
            times.append(time.perf_counter() - start)
        assert report is not None
        best, median = min(times), statistics.median(times)
        verdict = ""
        if size == TARGET_ACTIONS:
            verdict = "met" if best < TARGET_S else "MISSED"
        print(
            f"{len(bp.actions):>8} {len(bp.flows):>7} {len(report.figures.timeline.loops):>6} "
            f"{len(report.findings):>9} {best:>14.3f}s {median:>7.3f}s {verdict:>8}"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000, 20000])
