"""Generate large, realistic-shaped blueprints for benchmarks (deterministic for a given size)."""

from __future__ import annotations

import random

LANES = ("evidence", "customer", "frontstage", "backstage", "support")


def blueprint_yaml(actions: int, seed: int = 7, loops: bool = False) -> str:
    """A valid blueprint with about ``actions`` actions, one per lane per step, and flows.

    With ``loops``, every tenth step sends 5% of its cases back three steps (rework).
    """
    rng = random.Random(seed)
    steps = max(1, actions // len(LANES))
    phases = max(1, steps // 100)
    out = [
        "stageline: 1",
        f"title: Generated service with {steps * len(LANES)} actions",
        "service: Benchmark",
        "currency: EUR",
        "segments:",
        "  - id: new",
        "    name: New customers",
        "  - id: returning",
        "    name: Returning customers",
        "roles: [Agent, Clerk, Specialist]",
        "phases:",
    ]
    out += [f"  - id: p{p}\n    name: Phase {p}" for p in range(phases)]
    out.append("steps:")
    per_phase = -(-steps // phases)
    for s in range(steps):
        out += [
            f"  - id: s{s}",
            f"    name: Step {s}",
            f"    phase: p{s // per_phase}",
            f"    evidence: Screen {s}",
            "    customer:",
            f"      label: Customer does task {s} of the journey",
            f"      wait: {rng.randint(1, 30)} min ± {rng.randint(1, 10)} min",
            f"      emotion: {rng.choice([-2, -1, 0, 1, 2])}",
            "      segments: [new]",
            "    frontstage:",
            f"      label: Agent responds to request {s}",
            f"      role: {rng.choice(['agent', 'clerk'])}",
            "      channel: web",
            f"      duration: {rng.randint(1, 20)} min",
            f"      cost: {rng.randint(1, 50)}",
            "    backstage:",
            f"      label: Specialist processes case {s}",
            "      role: specialist",
            f"      fail_point: {{cause: Missing data {s}, likelihood: {rng.randint(1, 10)}, severity: 5, detectability: 3}}",
            "      kpis: [{name: Lead time, target: 2, unit: h}]",
            f"    support: System {s % 7} records the result",
        ]
    out.append("flows:")
    for s in range(steps):
        out += [
            f"  - s{s}.customer <-> s{s}.frontstage",
            f"  - s{s}.frontstage => s{s}.backstage",
            f"  - s{s}.backstage ~> s{s}.support",
        ]
        if s + 1 < steps:
            out.append(f"  - s{s}.backstage -> s{s + 1}.customer")
        if loops and s % 10 == 9:
            out.append(f"  - s{s}.backstage -> s{s - 3}.frontstage [5%]: rework")
    return "\n".join(out) + "\n"
