"""Counts that describe a blueprint at a glance: the figures behind ``stageline show``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stageline.model import Blueprint, Flow, FlowKind, Lane, LineKind
from stageline.model.vocabulary import STANDARD_LINES

__all__ = ["Summary", "crossed_lines", "is_handoff", "summarise"]


def crossed_lines(bp: Blueprint, flow: Flow) -> list[LineKind]:
    """The standard lines a flow crosses on its way from one lane to another."""
    a, b = bp.action(flow.source), bp.action(flow.target)
    if a is None or b is None:
        return []
    low, high = sorted((a.lane.order, b.lane.order))
    return [line for line, above in STANDARD_LINES.items() if low <= above.order < high]


def is_handoff(bp: Blueprint, flow: Flow) -> bool:
    """A flow marked as a handoff, or one between actions of two different roles."""
    if flow.kind is FlowKind.HANDOFF:
        return True
    a, b = bp.action(flow.source), bp.action(flow.target)
    if not (a and b and a.role and b.role):
        return False
    by_name = {r.name: r.id for r in bp.roles}  # a role may be named by its id or its name
    return by_name.get(a.role, a.role) != by_name.get(b.role, b.role)


@dataclass(frozen=True)
class Summary:
    phases: int
    steps: int
    actions: int
    actions_per_lane: dict[Lane, int]
    flows: int
    flows_per_kind: dict[FlowKind, int]
    crossings: dict[LineKind, int]
    handoffs: int
    fail_points: int
    segments: int
    actions_per_phase: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "phases": self.phases,
            "steps": self.steps,
            "actions": self.actions,
            "actions_per_lane": {k.value: v for k, v in self.actions_per_lane.items()},
            "actions_per_phase": dict(self.actions_per_phase),
            "flows": self.flows,
            "flows_per_kind": {k.value: v for k, v in self.flows_per_kind.items()},
            "crossings": {k.value: v for k, v in self.crossings.items()},
            "handoffs": self.handoffs,
            "fail_points": self.fail_points,
            "segments": self.segments,
        }


def summarise(bp: Blueprint) -> Summary:
    lanes = Counter(a.lane for a in bp.actions)
    kinds = Counter(f.kind for f in bp.flows)
    crossings: Counter[LineKind] = Counter()
    for f in bp.flows:
        crossings.update(crossed_lines(bp, f))
    phase_of = {s.id: s.phase for s in bp.steps}
    per_phase: Counter[str] = Counter()
    for a in bp.actions:
        per_phase[phase_of.get(a.step) or "(no phase)"] += 1
    ordered_phases = {p.id: per_phase.get(p.id, 0) for p in bp.phases}
    for k, v in per_phase.items():
        ordered_phases.setdefault(k, v)
    return Summary(
        phases=len(bp.phases),
        steps=len(bp.steps),
        actions=len(bp.actions),
        actions_per_lane={lane: lanes.get(lane, 0) for lane in Lane},
        flows=len(bp.flows),
        flows_per_kind={k: kinds.get(k, 0) for k in FlowKind},
        crossings={line: crossings.get(line, 0) for line in STANDARD_LINES},
        handoffs=sum(1 for f in bp.flows if is_handoff(bp, f)),
        fail_points=sum(1 for a in bp.actions if a.fail_point is not None),
        segments=len(bp.segments),
        actions_per_phase=ordered_phases,
    )
