"""Drawing generated blueprints (layout + text measurement + SVG), side by side with Graphviz `dot`.

Targets on this machine: 1,000 actions in at most 100 ms, 20,000 in at most 2 s, peak memory at
most 500 MB at 20,000, and at least 20x faster than `dot -Tsvg` at 5,000. `dot` gets the same
boxes (one node per action, its label wrapped as Stageline wraps it, the same box size) and the
same edges (one per flow), and lays them out with its own engine.

Two shapes of blueprint, each generated at every size:

- ``chain``: five actions a step, one flow chain through the steps plus a handoff, an
  information flow and a two-way flow in each, and a 5% rework loop every ten steps;
- ``example``: the loan-application example repeated (ids prefixed, each copy handing over
  to the next), so the flows have a real blueprint's mix of cross-lane, skipping, branching
  and looping arrows, with their labels and odds.

Each size runs in a fresh process, so the peak memory column is that process's peak resident
set (loading the blueprint included). `dot` needs Debian's graphviz (`make bench` installs it).

Run: .venv/bin/python benchmarks/render.py [ACTIONS ...] [--shape chain|example] [--dot-timeout SECONDS]
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

TARGETS_S = {1000: 0.100, 20000: 2.0}
TARGET_MB = 500.0
TARGET_RATIO = 20.0
RATIO_AT = 5000


EXAMPLE = Path(__file__).parent.parent / "examples" / "loan-application.yaml"


def blueprint(shape: str, size: int) -> Any:
    """The generated blueprint of ``shape`` with about ``size`` actions."""
    import stageline
    from generate import blueprint_yaml, tiled

    if shape == "chain":
        return stageline.loads(blueprint_yaml(size, loops=True))
    return tiled(stageline.load(EXAMPLE), size)


def one(shape: str, size: int) -> dict[str, float | int]:
    """Measure one size in this process: best of three draws, and the peak memory."""
    from stageline.layout.engine import layout
    from stageline.render.svg import svg

    bp = blueprint(shape, size)
    times = []
    text = ""
    for _ in range(3):
        start = time.perf_counter()
        text = svg(layout(bp))
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"actions": len(bp.actions), "flows": len(bp.flows), "best": min(times), "mb": peak_mb, "bytes": len(text)}


def dot_source(shape: str, size: int) -> str:
    """The same boxes and edges as a Graphviz graph."""
    from stageline.layout.engine import COL_W, LABEL_SIZE
    from stageline.layout.text import wrap

    bp = blueprint(shape, size)
    lines = ["digraph G {", "  rankdir=LR;", f'  node [shape=box, fontname="Inter", fontsize={LABEL_SIZE:g}];']
    for a in bp.actions:
        label = "\\n".join(wrap(a.label, COL_W - 16, LABEL_SIZE, 4)[0]).replace('"', "'")
        lines.append(f'  "{a.id}" [label="{label}", width={COL_W / 72:.2f}];')
    lines += [f'  "{f.source}" -> "{f.target}";' for f in bp.flows]
    lines.append("}")
    return "\n".join(lines)


def time_dot(shape: str, size: int, timeout: float) -> float | None:
    """Seconds `dot -Tsvg` takes, or None when it runs past ``timeout``."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "g.dot"
        # Written by a child process, so that this one stays small and the children's peak
        # memory (which Linux carries across fork and exec) is their own.
        subprocess.run([sys.executable, __file__, "--dot-source", shape, str(size), str(src)], check=True)
        start = time.perf_counter()
        try:
            subprocess.run(["dot", "-Tsvg", str(src), "-o", str(Path(tmp) / "g.svg")], check=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return time.perf_counter() - start


def main(argv: list[str]) -> None:
    timeout = 300.0
    if "--dot-timeout" in argv:
        k = argv.index("--dot-timeout")
        timeout = float(argv[k + 1])
        del argv[k : k + 2]
    shapes = ["chain", "example"]
    if "--shape" in argv:
        k = argv.index("--shape")
        shapes = [argv[k + 1]]
        del argv[k : k + 2]
    sizes = [int(a) for a in argv] or [1000, 5000, 20000]
    has_dot = shutil.which("dot") is not None
    if not has_dot:
        print("`dot` not found: install Debian's graphviz (make bench does) to compare", file=sys.stderr)
    for shape in shapes:
        print(f"\n{shape} blueprints")
        table(shape, sizes, has_dot, timeout)


def table(shape: str, sizes: list[int], has_dot: bool, timeout: float) -> None:
    print(
        f"{'actions':>8} {'flows':>7} {'Stageline':>10} {'target':>8} {'peak MB':>8} "
        f"{'SVG MB':>7} {'dot -Tsvg':>11} {'ratio':>8}"
    )
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", shape, str(size)], check=True, capture_output=True, text=True
        ).stdout
        m = json.loads(out)
        best = float(m["best"])
        verdict = ""
        if size in TARGETS_S:
            verdict = "met" if best <= TARGETS_S[size] else "MISSED"
        if size == 20000 and float(m["mb"]) > TARGET_MB:
            verdict += " MEM!"
        dot_text, ratio_text = "-", "-"
        if has_dot:
            dot_s = time_dot(shape, size, timeout)
            if dot_s is None:
                dot_text, ratio_text = f">{timeout:.0f} s", f">{timeout / best:.0f}x"
            else:
                dot_text, ratio_text = f"{dot_s:.2f} s", f"{dot_s / best:.0f}x"
                if size == RATIO_AT:
                    ratio_text += " met" if dot_s / best >= TARGET_RATIO else " MISSED"
        print(
            f"{m['actions']:>8} {m['flows']:>7} {best * 1000:>8.0f}ms {verdict:>8} {float(m['mb']):>8.0f} "
            f"{int(m['bytes']) / 1e6:>7.1f} {dot_text:>11} {ratio_text:>8}",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2], int(sys.argv[3]))))
    elif sys.argv[1:2] == ["--dot-source"]:
        Path(sys.argv[4]).write_text(dot_source(sys.argv[2], int(sys.argv[3])), encoding="utf-8")
    else:
        main(sys.argv[1:])
