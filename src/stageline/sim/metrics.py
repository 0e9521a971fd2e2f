"""Simulated figures in the shape of measured ones (:mod:`stageline.metrics`), so that
``render --metrics`` and ``check --metrics`` read them alike.

Counts are means over the replications, rounded; spreads are the means of each replication's
statistic (its mean, p50, p90...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from stageline.metrics import (
    ActionFigures,
    FlowFigures,
    Metrics,
    RoleFigures,
    ServiceFigures,
    Spread,
    StageFigures,
)
from stageline.model import Blueprint
from stageline.sim.run import ScenarioResult, Stats, _Summary

__all__ = ["to_metrics"]


def _mean(values: Sequence[float]) -> float | None:
    data = [v for v in values if not math.isnan(v)]
    return float(np.mean(data)) if data else None


def _count(values: Sequence[float]) -> int:
    return round(float(np.mean(values))) if values else 0


def _spread(stats: Sequence[Stats]) -> Spread | None:
    if not any(s.count for s in stats):
        return None
    return Spread(
        count=_count([s.count for s in stats]),
        mean=_mean([s.mean for s in stats]),
        p50=_mean([s.p50 for s in stats]),
        p90=_mean([s.p90 for s in stats]),
        p95=_mean([s.p95 for s in stats]),
        max=max((s.max for s in stats if not math.isnan(s.max)), default=None),
    )


def _stage(parts: Sequence[tuple[int, int, int, int]], arrived: int) -> StageFigures:
    """A step or phase from its parts' (cases, events, drop-off, rework): its cases are those of
    its busiest part."""
    cases = max(p[0] for p in parts)
    return StageFigures(
        cases=cases,
        share=cases / arrived if arrived else 0.0,
        events=sum(p[1] for p in parts),
        drop_off=sum(p[2] for p in parts),
        rework=sum(p[3] for p in parts),
    )


def to_metrics(bp: Blueprint, result: ScenarioResult, seed: int) -> Metrics:
    reps: tuple[_Summary, ...] = result.summaries
    net = result.network
    arrived = _count([r.arrived for r in reps])
    actions: dict[str, ActionFigures] = {}
    for k, node in enumerate(net.nodes):
        ns = [r.nodes[k] for r in reps]
        cases = _count([n.cases for n in ns])
        actions[node.id] = ActionFigures(
            events=_count([n.visits for n in ns]),
            cases=cases,
            share=cases / arrived if arrived else 0.0,
            service=_spread([n.service for n in ns]),
            wait=_spread([n.wait for n in ns]),
            drop_off=_count([n.drop_off for n in ns]),
            rework=_count([n.rework for n in ns]),
            rework_cases=0,
            cost=node.cost or None,
            queue=_mean([n.queue for n in ns]),
            abandoned=_count([n.abandoned for n in ns]),
        )
    flows = []
    out_of: dict[int, float] = {}
    for r in reps:
        for (s, _), n in r.transitions.items():
            out_of[s] = out_of.get(s, 0) + n
    pairs = sorted({key for r in reps for key in r.transitions})
    for s, t in pairs:
        total = sum(r.transitions.get((s, t), 0) for r in reps)
        flows.append(
            FlowFigures(
                source=net.nodes[s].id,
                target=net.nodes[t].id,
                transitions=round(total / len(reps)),
                cases=round(total / len(reps)),
                probability=total / out_of[s] if out_of.get(s) else None,
            )
        )
    roles = {}
    for j, st in enumerate(net.stations):
        users = [k for k, n in enumerate(net.nodes) if n.resource == j]
        roles[st.id] = RoleFigures(
            events=sum(actions[net.nodes[k].id].events for k in users),
            cases=max((actions[net.nodes[k].id].cases for k in users), default=0),
            capacity=_mean([r.capacity[j] for r in reps]),
            utilisation=_mean([r.utilisation[j] for r in reps]),
            queue=_mean([r.station_queue[j] for r in reps]),
        )
    steps: dict[str, StageFigures] = {}
    for step in bp.steps:
        mine = [actions[n.id] for n in net.nodes if n.step == step.id]
        if mine:
            steps[step.id] = _stage([(a.cases, a.events, a.drop_off, a.rework) for a in mine], arrived)
    phases: dict[str, StageFigures] = {}
    for phase in bp.phases:
        held = [steps[s.id] for s in bp.steps if s.phase == phase.id and s.id in steps]
        if held:
            phases[phase.id] = _stage([(s.cases, s.events, s.drop_off, s.rework) for s in held], arrived)
    service = ServiceFigures(
        cases=arrived,
        events=sum(a.events for a in actions.values()),
        variants=0,
        case_time=_spread([r.cycle for r in reps]),
        throughput=result.throughput.mean if not math.isnan(result.throughput.mean) else None,
        abandoned=_count([r.abandoned for r in reps]),
        felt_wait=_spread([r.felt for r in reps]),
        cost_per_customer=result.cost.mean if not math.isnan(result.cost.mean) else None,
    )
    return Metrics(
        kind="simulated",
        blueprint=bp.title,
        sources=(f"scenario {result.name}", f"{result.replications} replications, seed {seed}"),
        engine="stageline",
        service=service,
        actions=actions,
        flows=tuple(flows),
        steps=steps,
        phases=phases,
        roles=roles,
    )
