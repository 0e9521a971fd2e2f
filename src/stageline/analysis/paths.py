"""Time along the flow graph: expected end-to-end and customer-felt time, critical path, visits.

The method, in the words the report uses:

* Each combination of choices at the alternatives (flows with a probability) is a *path
  scenario*; its probability is the product of the choices made. Where an action's alternatives
  add up to less than 100%, the rest of the customers stop there.
* Within one scenario every action reached takes its expected wait and duration; an action starts
  when the last flow reaching it has finished (parallel branches join), and a two-way flow starts
  both ends together. The scenario's end-to-end time is its longest chain (its critical path);
  its customer-felt time runs from the customer's first action to their last.
* Figures are the probability-weighted means over all scenarios, so they are exact expected
  values for the assumed times.
* A loop (an alternative that leads back into the flows it came from) is rework: with loop-back
  probability ``q`` a customer goes round ``q / (1 - q)`` extra times on average, each round
  taking the loop's own time, and leaves by the other alternatives in their given proportions.
* Past :data:`MAX_SCENARIOS` scenarios the figures are approximate: every alternative is
  followed at once (a worst-case path) and visits add up over branches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from stageline.analysis.graph import Edge, FlowGraph, strongly_connected
from stageline.analysis.scenarios import ENDLESS, Dag, Engine, Loop, TooManyError
from stageline.model import Lane

__all__ = ["ENDLESS", "MAX_SCENARIOS", "Loop", "Timeline", "depth_first", "timeline"]

#: Beyond this many path scenarios the time figures are approximated.
MAX_SCENARIOS = 4096


@dataclass(frozen=True)
class Timeline:
    #: ``exact`` (every scenario evaluated), ``approximate`` or ``none`` (no flows to follow).
    method: str
    scenarios: int
    #: Expected times each action happens per customer (above 1 with rework).
    visits: tuple[float, ...]
    #: Chance that each action happens at least once.
    reach: tuple[float, ...]
    #: Expected seconds from the first action's start to the last action's end.
    end_to_end: float
    #: Expected seconds from the customer's first action to their last.
    customer_felt: float
    #: Expected seconds each action adds to the end-to-end time on the critical path.
    critical: tuple[float, ...]
    #: The critical path of the most likely scenario, first action first.
    critical_path: tuple[int, ...]
    #: The chance of that scenario.
    critical_path_probability: float
    loops: tuple[Loop, ...]
    #: Actions with alternatives adding up to under 100%, with the share that stops there.
    stops: tuple[tuple[int, float], ...]
    #: Expected seconds until a served customer is served (the first `served` action ends),
    #: over the scenarios that serve them; None without served actions or when none is reached.
    time_to_serve: float | None = None
    #: Expected seconds each customer action waits, from the end of the customer's previous
    #: action (or the start) to its own start, over the scenarios that reach it: its own
    #: wait plus any work it waits for. None for other actions.
    waited: tuple[float | None, ...] = ()


def timeline(graph: FlowGraph, served: Iterable[int] = ()) -> Timeline:
    """Expected times, visits and the critical path of a blueprint's flow graph."""
    n = len(graph.actions)
    durations = [_seconds(a.duration) for a in graph.actions]
    waits = [_seconds(a.wait) for a in graph.actions]
    customer = [a.lane is Lane.CUSTOMER for a in graph.actions]
    if not graph.edges:
        zero = tuple(0.0 for _ in range(n))
        return Timeline("none", 0, zero, zero, 0.0, 0.0, zero, (), 0.0, (), ())
    comp = strongly_connected(n, graph.succ)
    by_comp: dict[int, list[int]] = {}
    for v, c in enumerate(comp):
        by_comp.setdefault(c, []).append(v)
    loop_edges, back = _loop_branches(n, graph.succ, graph.entries)
    kept = [[e for e in graph.succ[v] if e not in loop_edges and e not in back] for v in range(n)]
    dag_succ = _acyclic(n, kept, graph.entries)
    attached: dict[int, list[int]] = {}
    for a, t in sorted(graph.attached_to.items()):
        attached.setdefault(t, []).append(a)
    dag = Dag(n, dag_succ, _topological(n, dag_succ), graph.entries, attached, set(graph.attached_to))
    engine = Engine(dag, durations, waits, customer, {})
    engine.served = sorted(set(served))

    loops: list[Loop] = []
    by_decision: dict[int, list[Edge]] = {}
    for e in sorted(loop_edges, key=lambda e: (e.source, e.target)):
        by_decision.setdefault(e.source, []).append(e)
    for d, edges in by_decision.items():
        loops.append(_loop(graph, by_comp[comp[d]], loop_edges, d, edges, durations, waits, customer))
    engine.loops = {lp.decision: lp for lp in loops}

    stops = []
    for v in range(n):
        alts = [e.probability for e in graph.succ[v] if e.probability is not None]
        if alts and sum(alts) < 1 - 1e-9:
            stops.append((v, 1 - sum(alts)))
    try:
        result = engine.enumerate(MAX_SCENARIOS)
        method = "exact"
    except TooManyError:
        result = engine.approximate()
        method = "approximate"
    return Timeline(
        method=method,
        scenarios=result.scenarios,
        visits=tuple(result.visits),
        reach=tuple(min(1.0, r) for r in result.reach),
        end_to_end=result.end_to_end,
        customer_felt=result.customer_felt,
        critical=tuple(result.critical),
        critical_path=tuple(result.best_path),
        critical_path_probability=result.best_probability,
        time_to_serve=result.served_time / result.served if result.served > 0 else None,
        waited=tuple(
            result.waited[v] / result.reach[v] if customer[v] and result.waited and result.reach[v] > 0 else None
            for v in range(n)
        ),
        loops=tuple(loops),
        stops=tuple(stops),
    )


def _seconds(t: object) -> float:
    return float(getattr(t, "expected", 0.0) or 0.0)


def _loop(
    graph: FlowGraph,
    members: list[int],
    loop_edges: set[Edge],
    d: int,
    edges: list[Edge],
    durations: list[float],
    waits: list[float],
    customer: list[bool],
) -> Loop:
    """One round of a loop: from the loop-back targets, within the loop, until ``d`` finishes.

    Worked out on the loop's own actions only (renumbered from 0), so that many small loops in a
    large blueprint cost little.
    """
    local = {v: i for i, v in enumerate(members)}
    m = len(members)
    succ = [
        [
            Edge(local[v], local[e.target], e.probability, e.sync, e.flow)
            for e in graph.succ[v]
            if e.target in local and e not in loop_edges
        ]
        if v != d
        else []
        for v in members
    ]
    sub_durations = [durations[v] for v in members]
    sub_waits = [waits[v] for v in members]
    sub_customer = [customer[v] for v in members]
    q = sum(e.probability or 0.0 for e in edges)
    span = 0.0
    repeated: dict[int, float] = {}
    for e in edges:
        share = (e.probability or 0.0) / q if q else 0.0
        start = local[e.target]
        dag_succ = _acyclic(m, succ, [start])
        dag = Dag(m, dag_succ, _topological(m, dag_succ), [start], {}, set())
        engine = Engine(dag, sub_durations, sub_waits, sub_customer, {})
        try:
            res = engine.enumerate(MAX_SCENARIOS, until=local[d])
        except TooManyError:
            res = engine.approximate(until=local[d])
        span += share * (res.until_finish / res.until_reached if res.until_reached > 0 else 0.0)
        for i, r in enumerate(res.visits):
            if r > 0:
                repeated[members[i]] = repeated.get(members[i], 0.0) + share * r
    return Loop(d, tuple(edges), q, span, tuple(sorted(repeated.items())))


def _loop_branches(n: int, succ: Sequence[Sequence[Edge]], roots: Iterable[int]) -> tuple[set[Edge], set[Edge]]:
    """The alternatives that start a loop, and the flows that close one.

    A depth-first walk from the entries finds each flow that closes a cycle. When that flow has a
    probability it is the loop's branch; otherwise the branch is the first alternative on the
    walk's path around the cycle, from the action the flow returns to. A cycle with no
    alternative on it is not a loop customers go round; its closing flow (information passed
    back, say) is simply not followed.
    """
    loops: set[Edge] = set()
    back: set[Edge] = set()

    def closing(e: Edge, path: list[Edge]) -> None:
        back.add(e)
        if e.probability is not None:
            loops.add(e)
            return
        start = next(k for k in range(len(path) - 1, -1, -1) if path[k].source == e.target)
        branch = next((x for x in path[start:] if x.probability is not None), None)
        if branch is not None:
            loops.add(branch)

    depth_first(n, succ, roots, closing)
    return loops, back - loops


def depth_first(
    n: int, succ: Sequence[Sequence[Edge]], roots: Iterable[int], closing: Callable[[Edge, list[Edge]], None]
) -> None:
    """Walk depth-first from ``roots`` (then any node left), calling ``closing`` for each edge
    that returns to a node on the current path, with the edges of that path."""
    state = [0] * n  # 0 new, 1 on the path, 2 done
    for root in [*roots, *range(n)]:
        if state[root]:
            continue
        state[root] = 1
        path: list[Edge] = []  # the edges the walk took to reach the node on top
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            edges = succ[v]
            if i < len(edges):
                work[-1] = (v, i + 1)
                e = edges[i]
                if state[e.target] == 0:
                    state[e.target] = 1
                    path.append(e)
                    work.append((e.target, 0))
                elif state[e.target] == 1:
                    closing(e, path)
            else:
                state[v] = 2
                work.pop()
                if path and path[-1].target == v:
                    path.pop()


def _acyclic(n: int, succ: Sequence[Sequence[Edge]], roots: Iterable[int]) -> list[list[Edge]]:
    """``succ`` without the edges that close a cycle, found depth-first from ``roots`` first."""
    back: set[Edge] = set()
    depth_first(n, succ, roots, lambda e, _path: back.add(e))
    if not back:
        return [list(s) for s in succ]
    return [[e for e in s if e not in back] for s in succ]


def _topological(n: int, succ: Sequence[Sequence[Edge]]) -> list[int]:
    indegree = [0] * n
    for edges in succ:
        for e in edges:
            indegree[e.target] += 1
    ready = [v for v in range(n) if indegree[v] == 0]
    ready.reverse()
    order: list[int] = []
    while ready:
        v = ready.pop()
        order.append(v)
        released = []
        for e in succ[v]:
            indegree[e.target] -= 1
            if indegree[e.target] == 0:
                released.append(e.target)
        ready.extend(sorted(released, reverse=True))
    return order
