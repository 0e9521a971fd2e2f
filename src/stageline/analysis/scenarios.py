"""The path-scenario engine: one walk of the flows per combination of choices, and the sums.

:mod:`stageline.analysis.paths` prepares the graph (loops cut out, flows in order) and reads the
figures off the sums kept here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from stageline.analysis.graph import Edge

__all__ = ["ENDLESS", "Dag", "Engine", "Loop", "Result", "State", "TooManyError"]

#: A loop-back probability at or above this is treated as a loop customers never leave.
ENDLESS = 0.999

_NONE = -1.0


@dataclass(frozen=True)
class Loop:
    """Rework: alternatives at ``decision`` that lead back into the flows before it."""

    decision: int
    edges: tuple[Edge, ...]
    #: The chance of going round again at each pass.
    probability: float
    #: Expected seconds one extra round takes.
    span: float
    #: Actions repeated in a round, with the chance each one happens in a round.
    members: tuple[tuple[int, float], ...]

    @property
    def endless(self) -> bool:
        return self.probability >= ENDLESS

    @property
    def extra_rounds(self) -> float:
        """Expected extra rounds per customer reaching the decision."""
        q = min(self.probability, ENDLESS)
        return q / (1 - q)


@dataclass
class Dag:
    n: int
    succ: list[list[Edge]]
    order: list[int]
    entries: list[int]
    attached: dict[int, list[int]]  # target -> actions attached to it
    is_attached: set[int]


class TooManyError(Exception):
    pass


@dataclass
class Result:
    scenarios: int
    visits: list[float]
    reach: list[float]
    critical: list[float]
    end_to_end: float
    customer_felt: float
    best_path: list[int]
    best_probability: float
    until_finish: float = 0.0
    until_reached: float = 0.0
    served_time: float = 0.0
    served: float = 0.0
    waited: list[float] = field(default_factory=list)


@dataclass
class State:
    pos: int
    probability: float
    arrive: list[float]
    start: list[float]
    finish: list[float]
    via: list[int]  # the action whose flow arrived last (-1: none)
    sync: list[bool]  # whether that flow was two-way


class Engine:
    def __init__(
        self,
        dag: Dag,
        durations: list[float],
        waits: list[float],
        customer: list[bool],
        loops: dict[int, Loop],
    ) -> None:
        self.dag = dag
        self.durations = durations
        self.waits = waits
        self.customer = customer
        self.loops = loops
        self.served: list[int] = []

    def _fresh(self) -> State:
        n = self.dag.n
        arrive = [_NONE] * n
        for v in self.dag.entries:
            if v not in self.dag.is_attached:
                arrive[v] = 0.0
        return State(0, 1.0, arrive, [_NONE] * n, [_NONE] * n, [-1] * n, [False] * n)

    def _run_node(self, st: State, v: int) -> None:
        for a in self.dag.attached.get(v, ()):
            if st.finish[a] < 0:
                st.arrive[a] = st.arrive[v]
                st.via[a] = st.via[v]
                st.sync[a] = st.sync[v]
                self._run_node(st, a)
                self._propagate(st, a, self.dag.succ[a])
        begin = st.arrive[v]
        st.start[v] = begin + self.waits[v]
        finish = st.start[v] + self.durations[v]
        loop = self.loops.get(v)
        if loop is not None:
            finish += loop.extra_rounds * loop.span
        st.finish[v] = finish

    @staticmethod
    def _arrive(st: State, source: int, target: int, when: float, sync: bool) -> None:
        if when > st.arrive[target]:
            st.arrive[target] = when
            st.via[target] = source
            st.sync[target] = sync

    def _propagate(self, st: State, v: int, edges: Iterable[Edge]) -> None:
        for e in edges:
            self._arrive(st, v, e.target, st.start[v] if e.sync else st.finish[v], e.sync)

    def enumerate(self, budget: int, until: int = -1) -> Result:
        n = self.dag.n
        acc = Result(0, [0.0] * n, [0.0] * n, [0.0] * n, 0.0, 0.0, [], -1.0)
        stack = [self._fresh()]
        order = self.dag.order
        while stack:
            st = stack.pop()
            while st.pos < len(order):
                v = order[st.pos]
                st.pos += 1
                if st.arrive[v] < 0 or (v in self.dag.is_attached and st.finish[v] >= 0):
                    continue
                self._run_node(st, v)
                if v == until:
                    continue
                edges = self.dag.succ[v]
                always = [e for e in edges if e.probability is None]
                self._propagate(st, v, always)
                choices = [e for e in edges if e.probability is not None]
                loop = self.loops.get(v)
                if not choices and loop is None:
                    continue
                scale = 1.0 / (1.0 - min(loop.probability, ENDLESS)) if loop else 1.0
                options: list[tuple[Edge | None, float]] = [(e, (e.probability or 0.0) * scale) for e in choices]
                rest = 1.0 - sum(p for _, p in options)
                if rest > 1e-9:
                    options.append((None, rest))
                for e, p in options[1:]:
                    branch = State(
                        st.pos, st.probability * p, st.arrive[:], st.start[:], st.finish[:], st.via[:], st.sync[:]
                    )
                    if e is not None:
                        self._propagate(branch, v, [e])
                    stack.append(branch)
                first, p0 = options[0]
                st.probability *= p0
                if first is not None:
                    self._propagate(st, v, [first])
            acc.scenarios += 1
            if acc.scenarios > budget:
                raise TooManyError
            self._collect(acc, st, until)
        return acc

    def _collect(self, acc: Result, st: State, until: int) -> None:
        p = st.probability
        if p <= 0:
            return
        end, end_at = -1, _NONE
        first_customer, last_customer = float("inf"), _NONE
        for v in self.dag.order:  # in flow order, so that a tie ends the path at the later action
            f = st.finish[v]
            if f < 0:
                continue
            acc.visits[v] += p
            acc.reach[v] += p
            if f >= end_at:
                end, end_at = v, f
            if self.customer[v]:
                first_customer = min(first_customer, st.arrive[v])
                last_customer = max(last_customer, f)
            loop = self.loops.get(v)
            if loop is not None:
                for m, r in loop.members:
                    acc.visits[m] += p * loop.extra_rounds * r
                    if st.finish[m] < 0:
                        acc.reach[m] += p * loop.probability * r
        if until >= 0 and st.finish[until] >= 0:
            acc.until_finish += p * st.finish[until]
            acc.until_reached += p
        acc.end_to_end += p * max(end_at, 0.0)
        self._collect_waits(acc, st, p)
        done = [st.finish[v] for v in self.served if st.finish[v] >= 0]
        if done:
            acc.served_time += p * min(done)
            acc.served += p
        if last_customer >= 0:
            acc.customer_felt += p * (last_customer - first_customer)
        path = self._trace(st, end)
        for v, seconds in path:
            acc.critical[v] += p * seconds
            loop = self.loops.get(v)
            if loop is not None and loop.span > 0:
                rounds = p * loop.extra_rounds
                acc.critical[v] -= rounds * loop.span
                for m, share in self._loop_critical(loop):
                    acc.critical[m] += rounds * share
        if p > acc.best_probability:
            acc.best_probability = p
            acc.best_path = [v for v, _ in path]

    def _collect_waits(self, acc: Result, st: State, p: float) -> None:
        """How long each customer action waits after the customer's previous action ends."""
        if not acc.waited:
            acc.waited = [0.0] * self.dag.n
        reached = [v for v in range(self.dag.n) if self.customer[v] and st.finish[v] >= 0]
        ends = sorted(st.finish[v] for v in reached)
        for v in reached:
            before = bisect.bisect_right(ends, st.arrive[v]) - 1
            ready = ends[before] if before >= 0 else 0.0
            acc.waited[v] += p * max(st.start[v] - ready, 0.0)

    def _trace(self, st: State, end: int) -> list[tuple[int, float]]:
        path: list[tuple[int, float]] = []
        v, through_sync = end, False
        seen: set[int] = set()
        while v >= 0 and v not in seen:
            seen.add(v)
            upto = st.start[v] if through_sync else st.finish[v]
            path.append((v, upto - st.arrive[v]))
            v, through_sync = st.via[v], st.sync[v]
        path.reverse()
        return path

    def _loop_critical(self, loop: Loop) -> list[tuple[int, float]]:
        """How one round's time divides among its members: in proportion to their own time."""
        own = [(m, r * (self.waits[m] + self.durations[m])) for m, r in loop.members]
        total = sum(t for _, t in own)
        if total <= 0:
            return [(loop.decision, loop.span)]
        return [(m, loop.span * t / total) for m, t in own if t > 0]

    def approximate(self, until: int = -1) -> Result:
        """Every alternative followed at once: worst-case times, visits summed over branches."""
        n = self.dag.n
        st = self._fresh()
        weight = [0.0] * n
        for v in self.dag.entries:
            weight[v] = 1.0
        for v in self.dag.order:
            if st.arrive[v] < 0 or (v in self.dag.is_attached and st.finish[v] >= 0):
                continue
            for a in self.dag.attached.get(v, ()):
                weight[a] = max(weight[a], weight[v])
            self._run_node(st, v)
            if v == until:
                continue
            loop = self.loops.get(v)
            scale = 1.0 / (1.0 - min(loop.probability, ENDLESS)) if loop else 1.0
            self._propagate(st, v, self.dag.succ[v])
            for e in self.dag.succ[v]:
                share = 1.0 if e.probability is None else e.probability * scale
                weight[e.target] = min(1.0, weight[e.target] + weight[v] * share)
        acc = Result(1, [0.0] * n, [0.0] * n, [0.0] * n, 0.0, 0.0, [], 1.0)
        self._collect(acc, st, until)
        loop_extra = [0.0] * n
        for v in range(n):
            loop = self.loops.get(v)
            if loop is not None and st.finish[v] >= 0:
                for m, r in loop.members:
                    loop_extra[m] += weight[v] * loop.extra_rounds * r
        acc.visits = [(weight[v] if st.finish[v] >= 0 else 0.0) + loop_extra[v] for v in range(n)]
        acc.reach = [min(1.0, weight[v] if st.finish[v] >= 0 else loop_extra[v]) for v in range(n)]
        return acc
