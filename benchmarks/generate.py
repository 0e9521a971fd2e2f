"""Generate large, realistic-shaped blueprints for benchmarks (deterministic for a given size)."""

from __future__ import annotations

import random
from dataclasses import replace

from stageline.model import Blueprint, Flow, Lane

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


def tiled(bp: Blueprint, actions: int) -> Blueprint:
    """``bp`` repeated until it has about ``actions`` actions, each copy's ids prefixed.

    Each copy's last step hands over to the next copy's first customer action, so the result
    is one long service with the example's own mix of cross-lane, skipping and looping flows.
    """
    copies = max(1, round(actions / max(1, len(bp.actions))))
    last = next(a for a in bp.actions if a.step == bp.steps[-1].id)
    first = next(a for a in bp.actions if a.step == bp.steps[0].id and a.lane is Lane.CUSTOMER)
    phases, steps, acts, flows = [], [], [], []
    for k in range(copies):
        p = f"c{k}-"
        phases += [replace(ph, id=p + ph.id) for ph in bp.phases]
        steps += [replace(s, id=p + s.id, phase=p + s.phase if s.phase else None) for s in bp.steps]
        acts += [replace(a, id=p + a.id, step=p + a.step) for a in bp.actions]
        flows += [replace(f, source=p + f.source, target=p + f.target) for f in bp.flows]
        if k:
            flows.append(Flow(source=f"c{k - 1}-{last.id}", target=p + first.id))
    return replace(
        bp,
        title=f"{bp.title} x{copies}",
        phases=tuple(phases),
        steps=tuple(steps),
        actions=tuple(acts),
        flows=tuple(flows),
        views=(),
    )
