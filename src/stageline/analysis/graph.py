"""The blueprint's flows as a precedence graph: what must finish before what can start.

Each action is a node. A flow ``a -> b`` (dependency, handoff or information) means ``b`` starts
after ``a`` finishes; a two-way flow ``a <-> b`` is one interaction, so ``b`` starts with ``a``.
Flows with a probability leaving one action are alternatives (one of them is taken); flows without
one are all taken, in parallel.

An action no flow reaches but that feeds another (a registry answering the scoring engine) is
*attached* to the first action it feeds: it runs when that action is due and delays it by its own
time. A blueprint with no flows at all is read as its steps one after another, the lanes of one
step in parallel.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from stageline.model import Action, Blueprint, FlowKind, Lane

__all__ = ["Edge", "FlowGraph", "build_graph", "strongly_connected"]


@dataclass(frozen=True, slots=True)
class Edge:
    source: int
    target: int
    #: The chance of taking it when it is one of several alternatives; None: always taken.
    probability: float | None
    #: True for a two-way flow: the target starts when the source starts, not when it ends.
    sync: bool = False
    #: Index of the flow in the blueprint, or -1 for the implicit step-to-step order.
    flow: int = -1


@dataclass(frozen=True)
class FlowGraph:
    actions: tuple[Action, ...]
    edges: tuple[Edge, ...]
    #: True when the blueprint has no flows and steps are taken one after another.
    implicit: bool

    @cached_property
    def index(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, a in enumerate(self.actions):
            out.setdefault(a.id, i)
        return out

    @cached_property
    def succ(self) -> list[list[Edge]]:
        out: list[list[Edge]] = [[] for _ in self.actions]
        for e in self.edges:
            out[e.source].append(e)
        return out

    @cached_property
    def pred(self) -> list[list[Edge]]:
        out: list[list[Edge]] = [[] for _ in self.actions]
        for e in self.edges:
            out[e.target].append(e)
        return out

    @cached_property
    def connected(self) -> list[bool]:
        """Whether each action takes part in any flow."""
        return [bool(s or p) for s, p in zip(self.succ, self.pred, strict=True)]

    @cached_property
    def attached_to(self) -> dict[int, int]:
        """Actions no flow reaches that feed another: the action each one is attached to.

        Actions no flow reaches in the earliest such step, and customer actions no flow reaches,
        start the service instead (they are the entries).
        """
        out: dict[int, int] = {}
        for i in self.sources:
            if i in self.entry_set:
                continue
            targets = [e.target for e in self.succ[i]]
            out[i] = min(targets, key=lambda t: (self.step_of[t], t))
        return out

    @cached_property
    def sources(self) -> list[int]:
        return [i for i in range(len(self.actions)) if self.succ[i] and not self.pred[i]]

    @cached_property
    def step_of(self) -> list[int]:
        order: dict[str, int] = {}
        for a in self.actions:
            order.setdefault(a.step, len(order))
        return [order[a.step] for a in self.actions]

    @cached_property
    def entry_set(self) -> frozenset[int]:
        if not self.sources:
            return frozenset()
        first = min(self.step_of[i] for i in self.sources)
        return frozenset(i for i in self.sources if self.step_of[i] == first or self.actions[i].lane is Lane.CUSTOMER)

    @property
    def entries(self) -> list[int]:
        return sorted(self.entry_set)


def build_graph(bp: Blueprint) -> FlowGraph:
    """The precedence graph of a blueprint (flows to unknown actions and onto themselves are left out)."""
    actions = bp.actions
    index: dict[str, int] = {}
    for i, a in enumerate(actions):
        index.setdefault(a.id, i)
    edges: list[Edge] = []
    seen: set[tuple[int, int]] = set()
    for n, flow in enumerate(bp.flows):
        s, t = index.get(flow.source), index.get(flow.target)
        if s is None or t is None or s == t or (s, t) in seen:
            continue
        seen.add((s, t))
        edges.append(Edge(s, t, flow.probability, flow.kind is FlowKind.CODEPENDENCY, n))
    if bp.flows:
        return FlowGraph(actions, tuple(edges), implicit=False)
    return FlowGraph(actions, tuple(_step_order_edges(actions)), implicit=True)


def _step_order_edges(actions: Sequence[Action]) -> list[Edge]:
    columns: dict[str, list[int]] = {}
    for i, a in enumerate(actions):
        if a.lane is not Lane.EVIDENCE:
            columns.setdefault(a.step, []).append(i)
    ordered = list(columns.values())
    return [Edge(s, t, None) for before, after in itertools.pairwise(ordered) for s in before for t in after]


def strongly_connected(n: int, succ: Sequence[Sequence[Edge]]) -> list[int]:
    """The strongly connected component of each node (Tarjan's algorithm, without recursion)."""
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    counter = 0
    components = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            recurse = False
            edges = succ[v]
            while i < len(edges):
                w = edges[i].target
                i += 1
                if index[w] == -1:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = components
                    if w == v:
                        break
                components += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return comp
