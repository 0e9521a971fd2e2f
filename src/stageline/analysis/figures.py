"""The figures analysis rests on: time and cost per action, step, phase and customer; handoffs.

Everything here is computed from the blueprint's own (assumed) figures; the same shapes hold
measured or simulated figures when those are bound to it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from stageline.analysis.graph import FlowGraph, build_graph
from stageline.analysis.paths import Timeline, timeline
from stageline.model import Action, Blueprint, Flow, FlowKind, Lane, LineKind
from stageline.summary import crossed_lines

__all__ = ["CUSTOMER", "Figures", "StepFigures", "figures"]

#: The name the handoff matrix gives the customer, who has no role.
CUSTOMER = "customer"


@dataclass(frozen=True)
class StepFigures:
    step: str
    #: Expected seconds the step adds to the end-to-end time (its share of the critical path).
    time: float
    #: Expected cost of the step per customer.
    cost: float
    #: The chance a customer reaches the step.
    reach: float


@dataclass(frozen=True)
class Figures:
    blueprint: Blueprint
    graph: FlowGraph
    timeline: Timeline
    #: Action ids that mean the customer was served (for the cost per served customer).
    served: tuple[str, ...] = ()

    @cached_property
    def position(self) -> dict[str, int]:
        return self.graph.index

    def visits(self, action_id: str) -> float:
        i = self.position.get(action_id)
        return 0.0 if i is None else self.timeline.visits[i]

    def reach(self, action_id: str) -> float:
        """The chance an action happens; for actions outside the flows, that of their step."""
        i = self.position.get(action_id)
        if i is None:
            return 0.0
        if self.graph.connected[i] or self.timeline.method == "none":
            return self.timeline.reach[i] if self.timeline.method != "none" else 1.0
        return self.step_reach.get(self.graph.actions[i].step, 0.0)

    @cached_property
    def step_reach(self) -> dict[str, float]:
        out: dict[str, float] = {s.id: 0.0 for s in self.blueprint.steps}
        if self.timeline.method == "none":
            return dict.fromkeys(out, 1.0)
        for i, a in enumerate(self.graph.actions):
            if self.graph.connected[i]:
                out[a.step] = max(out.get(a.step, 0.0), self.timeline.reach[i])
        return out

    @cached_property
    def action_cost(self) -> list[float]:
        """Expected cost per customer of each action: its cost and its failures' cost, times its visits."""
        return [
            ((a.cost or 0.0) + f) * v
            for a, v, f in zip(self.graph.actions, self._visits, self._failure_per_visit, strict=True)
        ]

    @cached_property
    def _failure_per_visit(self) -> list[float]:
        out = []
        for a in self.graph.actions:
            fp = a.fail_point
            out.append((fp.rate or 0.0) * (fp.cost or 0.0) if fp else 0.0)
        return out

    @cached_property
    def failure_cost(self) -> list[float]:
        """Expected cost per customer of each action's failures (fail point rate x cost x visits)."""
        return [f * v for f, v in zip(self._failure_per_visit, self._visits, strict=True)]

    @cached_property
    def _visits(self) -> list[float]:
        if self.timeline.method == "none":
            return [1.0] * len(self.graph.actions)
        return [
            v if self.graph.connected[i] else self.step_reach.get(self.graph.actions[i].step, 0.0)
            for i, v in enumerate(self.timeline.visits)
        ]

    @cached_property
    def cost_per_customer(self) -> float:
        return sum(self.action_cost)

    @cached_property
    def served_share(self) -> float | None:
        """The chance a customer is served, when the blueprint names what serving means."""
        if not self.served:
            return None
        return min(1.0, sum(self.reach(s) for s in self.served))

    @cached_property
    def cost_per_served(self) -> float | None:
        share = self.served_share
        return None if not share else self.cost_per_customer / share

    @cached_property
    def steps(self) -> list[StepFigures]:
        time: defaultdict[str, float] = defaultdict(float)
        cost: defaultdict[str, float] = defaultdict(float)
        for i, a in enumerate(self.graph.actions):
            time[a.step] += self.timeline.critical[i]
            cost[a.step] += self.action_cost[i]
        if self.timeline.method == "none":
            for s in self.blueprint.steps:
                time[s.id] = max((_own_time(a) for a in self.blueprint.actions_in(s.id)), default=0.0)
        return [StepFigures(s.id, time[s.id], cost[s.id], self.step_reach.get(s.id, 0.0)) for s in self.blueprint.steps]

    @cached_property
    def end_to_end(self) -> float:
        if self.timeline.method == "none":
            return sum(s.time for s in self.steps)
        return self.timeline.end_to_end

    @cached_property
    def phases(self) -> list[tuple[str, float, float]]:
        """(phase id, expected time, expected cost) in phase order; steps with no phase are left out."""
        phase_of = {s.id: s.phase for s in self.blueprint.steps}
        time: defaultdict[str, float] = defaultdict(float)
        cost: defaultdict[str, float] = defaultdict(float)
        for sf in self.steps:
            p = phase_of.get(sf.step)
            if p is not None:
                time[p] += sf.time
                cost[p] += sf.cost
        return [(p.id, time[p.id], cost[p.id]) for p in self.blueprint.phases]

    def party(self, action: Action) -> str:
        """Who acts: the role's id, ``customer`` for the customer lane, else the system or lane."""
        if action.lane is Lane.CUSTOMER:
            return CUSTOMER
        if action.role:
            return self._role_ids.get(action.role, action.role)
        if action.system:
            return self._system_ids.get(action.system, action.system)
        return action.lane.value

    @cached_property
    def _role_ids(self) -> dict[str, str]:
        return {**{r.name: r.id for r in self.blueprint.roles}, **{r.id: r.id for r in self.blueprint.roles}}

    @cached_property
    def _system_ids(self) -> dict[str, str]:
        return {**{s.name: s.id for s in self.blueprint.systems}, **{s.id: s.id for s in self.blueprint.systems}}

    def flow_actions(self, flow: Flow) -> tuple[Action, Action] | None:
        a, b = self.blueprint.action(flow.source), self.blueprint.action(flow.target)
        return None if a is None or b is None or a is b else (a, b)

    @cached_property
    def handoffs(self) -> list[tuple[int, str, str]]:
        """Flows that pass work between roles: (flow index, from party, to party).

        A flow between actions of two different roles, or one drawn as a handoff (``=>``). Flows
        to or from the customer are interactions, not handoffs.
        """
        out = []
        for n, flow in enumerate(self.blueprint.flows):
            pair = self.flow_actions(flow)
            if pair is None or Lane.CUSTOMER in (pair[0].lane, pair[1].lane):
                continue
            a, b = (self.party(x) for x in pair)
            both_roles = bool(pair[0].role and pair[1].role)
            if a != b and (both_roles or flow.kind is FlowKind.HANDOFF):
                out.append((n, a, b))
        return out

    @cached_property
    def handoff_matrix(self) -> dict[tuple[str, str], int]:
        """Handoffs counted by (from party, to party)."""
        return dict(Counter((a, b) for _, a, b in self.handoffs))

    @cached_property
    def crossings(self) -> dict[LineKind, list[int]]:
        """The flows crossing each standard line, by flow index."""
        out: dict[LineKind, list[int]] = {}
        for n, flow in enumerate(self.blueprint.flows):
            for line in crossed_lines(self.blueprint, flow):
                out.setdefault(line, []).append(n)
        return out

    def flow_reach(self, n: int) -> float:
        """The chance a flow is taken: its source's reach times its probability."""
        flow = self.blueprint.flows[n]
        return self.reach(flow.source) * (1.0 if flow.probability is None else flow.probability)


def _own_time(a: Action) -> float:
    return (a.wait.expected if a.wait else 0.0) + (a.duration.expected if a.duration else 0.0)


def figures(bp: Blueprint, served: tuple[str, ...] = ()) -> Figures:
    graph = build_graph(bp)
    return Figures(bp, graph, timeline(graph, [graph.index[s] for s in served if s in graph.index]), served)
